"""Keep a trainee's place when a new version of their course is published under them.

Applied lazily, when the person next acts in the lesson: the version they last moved in (the
one live at their row's `updated_at`) is compared with the version served, lesson by lesson:
- reading: the card on screen is found again by its hash; a card removed (or edited) gives
  its place to the card now there: the one after the last earlier card that remains;
- in the quiz: a quiz whose questions, options or right answers changed starts again at its
  first question (the handler says so);
- a passed or failed lesson is left as it is; a lesson removed keeps its row, unshown.
The row's `updated_at` is then set to the version's publish time: it counts as caught up, and a
tap right after is not taken for a double tap.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.config import Settings
from bot.db.models import LessonProgress, LessonStatus
from bot.lessons.model import Course
from bot.lessons.progress import start_quiz
from bot.lessons.versions import METADATA, Version, read_version, version_at


def served_version(course: Course) -> Version | None:
    """The version this process serves (None: a course from a plain folder)."""
    if course.root is None:
        return None
    path = course.root.parent / METADATA
    return read_version(path) if path.is_file() else None


class Followed(StrEnum):
    """What following a new version did to a row."""

    same = "same"  # the person's place means the same (taps on it still count)
    moved = "moved"  # their card moved: a tap on the old message is not on it
    quiz_restarted = "quiz_restarted"  # their quiz changed and starts again (tell them)


def follow_publish(
    settings: Settings, course: Course, row: LessonProgress, language: str, now: datetime
) -> Followed:
    """Move `row` into the version served, if it last moved in an older one."""
    served = served_version(course)
    if served is None or row.updated_at >= served.published_at:
        return Followed.same
    if row.status not in (LessonStatus.reading, LessonStatus.quiz):
        return Followed.same
    before = version_at(settings, course.id, row.updated_at)
    if before is None or before.number == served.number or row.lesson not in course.lessons:
        return Followed.same
    shown = course.lesson(row.lesson, language).language
    old, new = before.lessons.get((row.lesson, shown)), served.lessons.get((row.lesson, shown))
    if old is None or new is None:
        return Followed.same
    if row.status == LessonStatus.quiz and old.quiz != new.quiz:
        start_quiz(row, now)
        return Followed.quiz_restarted
    followed = Followed.same
    if row.status == LessonStatus.reading:
        card = nearest_card(old.cards, row.card, new.cards)
        if card != row.card or old.cards[min(row.card, len(old.cards) - 1)] != new.cards[card]:
            followed = Followed.moved
        row.card = card
    row.updated_at = served.published_at
    return followed


def nearest_card(old: tuple[str, ...], index: int, new: tuple[str, ...]) -> int:
    """Where card `index` of `old` is in `new` (cards by hash): the same card if it remains,
    else the card now in its place (after the last earlier card that remains), else the first
    later card that remains; the last card when nothing is left to go by."""
    last = max(len(new) - 1, 0)
    if not old or not new:
        return min(index, last)
    index = min(index, len(old) - 1)
    where: dict[str, int] = {}
    for position, mark in enumerate(new):
        where.setdefault(mark, position)
    if old[index] in where:
        return where[old[index]]
    for earlier in range(index - 1, -1, -1):
        if old[earlier] in where:
            return min(where[old[earlier]] + 1, last)
    for later in range(index + 1, len(old)):
        if old[later] in where:
            return where[old[later]]
    return min(index, last)
