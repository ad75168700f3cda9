"""The dashboard's question lists: the quiz questions most missed, and what trainees asked.

Both cover a set of classes of one course as `bot.stats.dashboard` defines it (every class, or
some). **Most missed**: the definition of `bot.stats.queries` (share of wrong answers over all
attempts, at least MIN_ANSWERS answers, forgotten trainees' answers included), with a longer list.
**Questions asked**: the `TraineeQuestion` rows about the course asked by the set's trainees
(every class: whichever class they asked from, or none; some classes: asked from one of them),
newest first. Forgotten trainees' questions are deleted with them: they count in the totals of
`programme_overview` and `CohortStats.asked` (from `AnonymousTotal`) but cannot be listed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Person, QuizAnswer, TraineeQuestion
from bot.lessons.model import Course
from bot.stats.dashboard import merge, scope
from bot.stats.model import MissedQuestion
from bot.stats.queries import _members, rank_missed
from bot.stats.totals import OVERALL, Figures, add_forgotten
from bot.stats.views import QuestionAsked

MISSED_LISTED = 20
ASKED_LISTED = 100


class AskedFilter(StrEnum):
    """Which questions asked to list."""

    all = "all"
    declined = "declined"  # the bot did not answer: the course does not cover them
    open = "open"  # handed to a lecturer, no answer yet


async def missed_questions(
    session: AsyncSession,
    courses: Mapping[str, Course],
    language: str = "en",
    *,
    cohort_ids: Collection[int] | None = None,
    course_id: str | None = None,
    limit: int | None = MISSED_LISTED,
) -> tuple[str, list[MissedQuestion]]:
    """The course's id (see `dashboard.scope`) and its `limit` most missed quiz questions (None:
    every question with enough answers), texts in `language`. Raises UnknownCourse."""
    course, ids = await scope(session, courses, course_id, cohort_ids)
    members = _members(course.id, ids, merged=True)
    m = members.c
    wrong = func.sum(case((col(QuizAnswer.correct), 0), else_=1))
    statement = (
        select(QuizAnswer.lesson, QuizAnswer.question, wrong, func.count())
        .select_from(members)
        .join(
            QuizAnswer,
            (col(QuizAnswer.person_id) == m.pid) & (col(QuizAnswer.course_id) == course.id),
        )
        .group_by(col(QuizAnswer.lesson), col(QuizAnswer.question))
    )
    figures = Figures()
    lessons = set(course.lessons)
    for slug, index, wrong_count, answers in await session.exec(statement):
        if slug in lessons:
            figures.missed[(slug, int(index))] = (int(wrong_count or 0), int(answers))
    forgotten: dict[int, Figures] = {}
    await add_forgotten(session, course.id, lessons, forgotten, [OVERALL] if ids is None else ids)
    for part in forgotten.values():
        merge(figures, part)
    return course.id, rank_missed(course, figures.missed, language, limit)


async def questions_asked(
    session: AsyncSession,
    courses: Mapping[str, Course],
    *,
    cohort_ids: Collection[int] | None = None,
    course_id: str | None = None,
    which: AskedFilter = AskedFilter.all,
    limit: int = ASKED_LISTED,
) -> tuple[str, list[QuestionAsked]]:
    """The course's id (see `dashboard.scope`) and the newest `limit` questions its trainees
    asked (see the module's docstring), all, declined or open. Raises UnknownCourse."""
    course, ids = await scope(session, courses, course_id, cohort_ids)
    members = _members(course.id, ids, merged=True)
    asked = col(TraineeQuestion.person_id).in_(select(members.c.pid))
    statement = (
        select(TraineeQuestion, Person.display_name)
        .join(Person, col(Person.id) == TraineeQuestion.person_id)
        .where(TraineeQuestion.course_id == course.id, asked)
        .order_by(col(TraineeQuestion.asked_at).desc(), col(TraineeQuestion.id).desc())
        .limit(limit)
    )
    if ids is not None:
        statement = statement.where(col(TraineeQuestion.cohort_id).in_(ids))
    if which is AskedFilter.declined:
        statement = statement.where(col(TraineeQuestion.answered).is_(False))
    elif which is AskedFilter.open:
        statement = statement.where(
            col(TraineeQuestion.handed_off).is_(True),
            col(TraineeQuestion.lecturer_answer).is_(None),
        )
    listed = []
    for question, name in await session.exec(statement):
        assert question.id is not None
        listed.append(
            QuestionAsked(
                question_id=question.id,
                person_id=question.person_id,
                name=name or f"#{question.person_id}",
                cohort_id=question.cohort_id,
                language=question.language,
                text=question.text,
                asked_at=question.asked_at,
                declined=not question.answered,
                handed_off=question.handed_off,
                open=question.handed_off and question.lecturer_answer is None,
                lecturer_answer=question.lecturer_answer,
            )
        )
    return course.id, listed
