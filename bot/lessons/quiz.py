"""The rules of a lesson's cards and quiz: which tap is current, turning a card, grading an
answer, starting the quiz or the reading again. Handlers only word what these decide.

A tap counts only when it belongs to where the person is now (the card they read, the question
of their current attempt): an old or repeated button changes nothing, and is no study day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import LessonProgress, LessonStatus, Person
from bot.lessons.model import Course, Lesson, QuizQuestion
from bot.lessons.progress import (
    QuizResult,
    record_activity,
    record_quiz_answer,
    start_quiz,
    start_reading,
)

# A second tap on the same button within this time is a double tap: answered with silence.
DOUBLE_TAP = timedelta(seconds=3)


def is_double_tap(row: LessonProgress, now: datetime) -> bool:
    """Whether a tap that changes nothing came right after the row last moved."""
    return now - row.updated_at < DOUBLE_TAP


def grade(question: QuizQuestion, chosen: int) -> bool:
    """Whether option `chosen` is the right answer."""
    return chosen == question.answer


def fit_to_lesson(row: LessonProgress, lesson: Lesson, now: datetime) -> None:
    """Keep the row inside the lesson as it is now: a shortened lesson shows its last card, a
    quiz shortened under the person starts afresh."""
    row.card = min(row.card, len(lesson.cards) - 1)
    if row.status == LessonStatus.quiz and row.question >= len(lesson.quiz):
        start_quiz(row, now)


def is_current_card(row: LessonProgress, card: int) -> bool:
    return row.status == LessonStatus.reading and row.card == card


def current_question(
    row: LessonProgress, lesson: Lesson, attempt: int, index: int, chosen: int
) -> QuizQuestion | None:
    """The question, when option `chosen` of question `index` in attempt `attempt` is a tap on
    the question the person is on now; None for any other tap."""
    if row.status != LessonStatus.quiz or row.attempt != attempt or row.question != index:
        return None
    if not 0 <= index < len(lesson.quiz):
        return None
    question = lesson.quiz[index]
    return question if 0 <= chosen < len(question.options) else None


async def turn_card(
    session: AsyncSession,
    person: Person,
    row: LessonProgress,
    lesson: Lesson,
    card: int,
    now: datetime,
) -> bool:
    """Past card `card`, when it is the one the person reads: to the next card, or into the quiz
    after the last. False, and nothing changes, for any other card."""
    if not is_current_card(row, card):
        return False
    row.updated_at = now
    if card + 1 < len(lesson.cards):
        row.card = card + 1
    else:
        start_quiz(row, now)
    await record_activity(session, person, now)
    return True


def turn_back(row: LessonProgress, card: int, now: datetime) -> bool:
    """Back from card `card` to the one before, when it is the one the person reads (the page's
    "Back"; the chat keeps earlier cards in its history). False, and nothing changes, otherwise."""
    if not is_current_card(row, card) or card == 0:
        return False
    row.card, row.updated_at = card - 1, now
    return True


def just_answered(row: LessonProgress, lesson: Lesson, attempt: int, index: int) -> bool:
    """Whether question `index` of attempt `attempt` is the one the person answered last (the
    quiz moved on from it, or ended on it): its answer is worth showing, and a second tap on it
    is a repeat, not a stale button."""
    if row.attempt != attempt:
        return False
    if row.status == LessonStatus.quiz:
        return index == row.question - 1
    finished = row.status in (LessonStatus.passed, LessonStatus.failed)
    return finished and index == len(lesson.quiz) - 1


@dataclass(frozen=True)
class Answered:
    """A counted answer: its question, whether it was right, and the result after the last."""

    question: QuizQuestion
    correct: bool
    result: QuizResult | None


async def answer(
    session: AsyncSession,
    person: Person,
    course: Course,
    row: LessonProgress,
    lesson: Lesson,
    *,
    attempt: int,
    index: int,
    chosen: int,
    now: datetime,
) -> Answered | None:
    """Grade and count option `chosen` of the current question; None (nothing counted) when the
    tap is not on it (see `current_question`)."""
    question = current_question(row, lesson, attempt, index, chosen)
    if question is None:
        return None
    correct = grade(question, chosen)
    result = await record_quiz_answer(
        session, person, course, row, chosen, correct, len(lesson.quiz), now
    )
    await record_activity(session, person, now)
    return Answered(question, correct, result)


async def retry_quiz(
    session: AsyncSession, person: Person, row: LessonProgress, now: datetime
) -> bool:
    """The quiz again from its first question, after a failed attempt; False otherwise."""
    if row.status != LessonStatus.failed:
        return False
    start_quiz(row, now)
    await record_activity(session, person, now)
    return True


async def reread(session: AsyncSession, person: Person, row: LessonProgress, now: datetime) -> bool:
    """The lesson again from its first card, after a failed attempt; False otherwise."""
    if row.status != LessonStatus.failed:
        return False
    start_reading(row, now)
    await record_activity(session, person, now)
    return True
