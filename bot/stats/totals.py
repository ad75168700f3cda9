"""The raw counts of a group of trainees, and the anonymous totals forgotten trainees left.

`/forgetme` deletes a trainee's rows; before that, what they added to each group's counts (their
class, and the course overall) is added into `AnonymousTotal` rows, and every statistic adds
those rows to what it counts. So a class that had 10 trainees of whom 7 passed lesson 1 still
shows 10 and 7 when one of them is forgotten. Kept: the counts behind enrolled, finished the
course, passed per lesson, the average score, wrong answers per quiz question, and questions
asked (total, per lesson asked about, not covered, declined by the bot). Not kept: activity in
the last 7 days and questions waiting for a lecturer (a forgotten person studies nothing and
waits for nothing), nor the receipts of their messages (delivered, read, unreachable): those
figures describe who can be reached now, and the forgotten person's messages leave both the
count and what it is a share of, so the shares stay true.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import AnonymousTotal

OVERALL = 0  # the group key of a course overall; cohort ids start at 1
WHOLE = ""  # the lesson of a row about the course as a whole
NO_QUESTION = -1  # the question of a row about a lesson as a whole
COUNTS = (
    "trainees",
    "finished",
    "score_sum",
    "scores",
    "passed",
    "wrong",
    "answers",
    "asked",
    "not_covered",
    "unanswered",
)
KEY = ("cohort_id", "course_id", "lesson", "question")


@dataclass
class Figures:
    """Raw counts of one group (a cohort, or everyone), before shares are taken."""

    enrolled: int = 0
    active: int = 0
    completed: int = 0
    passed: dict[str, int] = field(default_factory=dict)  # slug -> trainees who passed it
    score_sum: float = 0.0
    score_count: int = 0
    missed: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)  # wrong, total
    asked: dict[str | None, int] = field(default_factory=dict)  # first source ("" none) -> count
    unanswered: int = 0
    waiting: int = 0
    # Receipts (WhatsApp): messages tracked, delivered, read; trainees unreachable. Not kept
    # for forgotten people: their messages go with them (see the module's docstring).
    messages: int = 0
    delivered: int = 0
    read: int = 0
    unreachable: int = 0


def _rows(course_id: str, key: int, figures: Figures) -> list[dict[str, Any]]:
    """The totals rows that hold `figures` of group `key`."""
    asked = sum(figures.asked.values())
    not_covered = figures.asked.get("", 0)
    rows = [
        {
            "lesson": WHOLE,
            "question": NO_QUESTION,
            "trainees": figures.enrolled,
            "finished": figures.completed,
            "score_sum": figures.score_sum,
            "scores": figures.score_count,
            "asked": asked,
            "not_covered": not_covered,
            "unanswered": figures.unanswered,
        }
    ]
    topics = {slug for slug in figures.asked if slug}
    for slug in sorted(set(figures.passed) | topics):
        passed, asked_about = figures.passed.get(slug, 0), figures.asked.get(slug, 0)
        if passed or asked_about:
            row = {"lesson": slug, "question": NO_QUESTION, "passed": passed, "asked": asked_about}
            rows.append(row)
    for (slug, question), (wrong, answers) in sorted(figures.missed.items()):
        rows.append({"lesson": slug, "question": question, "wrong": wrong, "answers": answers})
    for row in rows:
        for name in COUNTS:
            row.setdefault(name, 0)
        row.update(cohort_id=key, course_id=course_id)
    return rows


async def add_to_totals(session: AsyncSession, course_id: str, key: int, figures: Figures) -> None:
    """Add `figures` (one forgotten person's part of group `key`) into the anonymous totals. One
    statement per row, INSERT … ON CONFLICT DO UPDATE, so two people forgotten at once in the
    same class both count."""
    dialect = (await session.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = AnonymousTotal.__table__  # type: ignore[attr-defined]
    for row in _rows(course_id, key, figures):
        statement = insert(table).values(**row)
        added = {name: table.c[name] + statement.excluded[name] for name in COUNTS}
        await session.exec(statement.on_conflict_do_update(index_elements=KEY, set_=added))


async def add_forgotten(
    session: AsyncSession,
    course_id: str,
    lessons: Collection[str],
    groups: dict[int, Figures],
    keys: Sequence[int],
) -> None:
    """Add the anonymous totals of groups `keys` of `course_id` into `groups` (creating the
    groups that only forgotten people made). Lessons and questions no longer in the course are
    left out, as for the living; their questions asked still count in the total."""
    found = await session.exec(
        select(AnonymousTotal).where(
            AnonymousTotal.course_id == course_id, col(AnonymousTotal.cohort_id).in_(keys)
        )
    )
    for total in found:
        figures = groups.setdefault(total.cohort_id, Figures())
        asked = figures.asked
        if total.lesson == WHOLE:
            figures.enrolled += total.trainees
            figures.completed += total.finished
            figures.score_sum += total.score_sum
            figures.score_count += total.scores
            figures.unanswered += total.unanswered
            asked[""] = asked.get("", 0) + total.not_covered
            # Asked about no lesson of the course now; the lesson rows take theirs back out.
            asked[None] = asked.get(None, 0) + total.asked - total.not_covered
        elif total.lesson not in lessons:
            continue
        elif total.question == NO_QUESTION:
            figures.passed[total.lesson] = figures.passed.get(total.lesson, 0) + total.passed
            if total.asked:
                asked[total.lesson] = asked.get(total.lesson, 0) + total.asked
                asked[None] = asked.get(None, 0) - total.asked
        else:
            wrong, answers = figures.missed.get((total.lesson, total.question), (0, 0))
            figures.missed[(total.lesson, total.question)] = (
                wrong + total.wrong,
                answers + total.answers,
            )
