"""A class page's and a trainee page's data: who is where, who is stuck, each question's result.

Definitions (besides those of `bot.stats.queries`):

- **Trainees** of a class: its members whose role is `trainee`, as in the statistics.
- **reached**: the furthest lesson, in course order, the trainee opened (has progress in).
- **last active**: the last `ActivityDay` (a day they studied, in their own timezone);
  `last_seen_at` is the last time they wrote or tapped anything.
- **stuck**: a trainee who has not finished the course (passed every lesson) and made no
  progress for `stuck_after` (STUCK_AFTER, 7 days): their last card or quiz answer in the course
  (`LessonProgress.updated_at`), or their joining the class when later or when they never began,
  is that long ago or more. A week, because lessons come once or a few times a week: a trainee who
  missed a whole week of them needs a word from the lecturer; less would flag everyone between
  two lessons of a weekly plan.
- A trainee's **question results**: for each quiz question, whether their answer in the latest
  attempt in which they answered it was right, and in how many attempts they answered it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    ActivityDay,
    Cohort,
    LessonProgress,
    LessonStatus,
    Membership,
    Person,
    QuizAnswer,
    Role,
)
from bot.lessons.model import Course
from bot.stats.model import UnknownCohort
from bot.stats.queries import _course
from bot.stats.views import (
    ClassPage,
    LessonResult,
    MemberRow,
    QuestionResult,
    TraineePage,
    UnknownTrainee,
)

STUCK_AFTER = timedelta(days=7)


async def class_page(
    session: AsyncSession,
    courses: Mapping[str, Course],
    cohort_id: int,
    now: datetime,
    language: str = "en",
    *,
    stuck_after: timedelta = STUCK_AFTER,
) -> ClassPage:
    """The class and its trainees, ordered by name then id, each with the lesson reached, best
    scores in course order, last active, reminders, and whether they are stuck at `now` (see the
    module's docstring). Raises UnknownCohort or UnknownCourse."""
    found = (
        await session.exec(
            select(Cohort, Person.display_name)
            .outerjoin(Person, col(Person.id) == Cohort.lecturer_id)
            .where(Cohort.id == cohort_id)
        )
    ).first()
    if found is None:
        raise UnknownCohort(f"no cohort has id {cohort_id}")
    cohort, lecturer = found
    course = _course(courses, cohort.course_id)
    trainees = (
        select(Membership.person_id)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(Membership.cohort_id == cohort_id, col(Person.role) == Role.trainee)
    )
    people = await session.exec(
        select(Person, Membership.joined_at)
        .join(Membership, col(Membership.person_id) == Person.id)
        .where(Membership.cohort_id == cohort_id, col(Person.role) == Role.trainee)
        .order_by(Person.display_name, col(Person.id))
    )
    position = {slug: n for n, slug in enumerate(course.lessons)}
    width = len(course.lessons)
    progress: dict[int, list[tuple[int, str, float | None]]] = {}
    last_progress: dict[int, datetime] = {}
    rows = await session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
            LessonProgress.person_id,
            LessonProgress.lesson,
            LessonProgress.status,
            LessonProgress.best_score,
            LessonProgress.updated_at,
        ).where(
            LessonProgress.course_id == course.id,
            col(LessonProgress.person_id).in_(trainees),
        )
    )
    for person_id, slug, status, best, updated in rows:
        if slug not in position:
            continue  # a lesson since removed from the course
        progress.setdefault(person_id, []).append((position[slug], status, best))
        if person_id not in last_progress or updated > last_progress[person_id]:
            last_progress[person_id] = updated
    active = dict(
        list(
            await session.exec(
                select(ActivityDay.person_id, func.max(ActivityDay.day))
                .where(col(ActivityDay.person_id).in_(trainees))
                .group_by(col(ActivityDay.person_id))
            )
        )
    )
    titles = tuple(course.lesson(slug, language).title for slug in course.lessons)
    members = []
    for person, joined_at in people:
        assert person.id is not None
        lessons = progress.get(person.id, [])
        scores: list[float | None] = [None] * width
        for n, _, best in lessons:
            scores[n] = best
        passed = sum(1 for _, status, _ in lessons if status == LessonStatus.passed)
        furthest = max(lessons, default=None)
        finished = width > 0 and passed == width
        moved = last_progress.get(person.id)
        since = max(joined_at, moved) if moved is not None else joined_at
        members.append(
            MemberRow(
                person_id=person.id,
                name=person.display_name or f"#{person.id}",
                channel=person.channel,
                joined_at=joined_at,
                last_seen_at=person.last_seen_at,
                last_active=active.get(person.id),
                reached=furthest[0] + 1 if furthest else 0,
                reached_slug=course.lessons[furthest[0]] if furthest else "",
                reached_title=titles[furthest[0]] if furthest else "",
                reached_status=str(furthest[1]) if furthest else "",
                passed=passed,
                best_scores=tuple(scores),
                finished=finished,
                reminders_on=person.reminder_time is not None,
                reminder_time=person.reminder_time,
                stuck=not finished and now - since >= stuck_after,
                last_progress_at=moved,
            )
        )
    return ClassPage(
        cohort_id=cohort_id,
        name=cohort.name,
        course_id=course.id,
        lecturer_id=cohort.lecturer_id,
        lecturer=lecturer or (f"#{cohort.lecturer_id}" if cohort.lecturer_id else ""),
        invite_code=cohort.invite_code,
        invite_open=cohort.invite_open,
        lesson_titles=titles,
        members=tuple(members),
        stuck_days=stuck_after.days,
    )


async def trainee_page(
    session: AsyncSession,
    courses: Mapping[str, Course],
    person_id: int,
    language: str = "en",
    *,
    course_id: str | None = None,
) -> TraineePage:
    """One person and every lesson of their course (`course_id`; None: the course they study
    now, else that of their latest class, else the first loaded), with each quiz question's
    latest result; texts in `language`. Raises UnknownTrainee or UnknownCourse."""
    person = await session.get(Person, person_id)
    if person is None:
        raise UnknownTrainee(f"no person has id {person_id}")
    classes = list(
        await session.exec(
            select(Cohort.id, Cohort.name, Cohort.course_id, Membership.joined_at)
            .join(Membership, col(Membership.cohort_id) == Cohort.id)
            .where(Membership.person_id == person_id)
        )
    )
    if course_id is None:
        latest = max(classes, key=lambda c: (c[3], c[0] or 0), default=None)
        course_id = person.course_id or (latest[2] if latest else None) or next(iter(courses))
    course = _course(courses, course_id)
    progress = {
        row.lesson: row
        for row in await session.exec(
            select(LessonProgress).where(
                LessonProgress.person_id == person_id, LessonProgress.course_id == course.id
            )
        )
    }
    results: dict[tuple[str, int], tuple[int, bool, int]] = {}  # latest attempt, correct, count
    answers = await session.exec(
        select(
            QuizAnswer.lesson, QuizAnswer.question, QuizAnswer.attempt, QuizAnswer.correct
        ).where(QuizAnswer.person_id == person_id, QuizAnswer.course_id == course.id)
    )
    for slug, index, attempt, correct in answers:
        newest, was_correct, count = results.get((slug, index), (-1, False, 0))
        if attempt > newest:
            newest, was_correct = attempt, correct
        results[(slug, index)] = (newest, was_correct, count + 1)
    last_active = (
        await session.exec(
            select(func.max(ActivityDay.day)).where(ActivityDay.person_id == person_id)
        )
    ).one()
    lessons = []
    for slug in course.lessons:
        lesson = course.lesson(slug, language)
        row = progress.get(slug)
        questions = []
        for index, question in enumerate(lesson.quiz):
            found = results.get((slug, index))
            questions.append(
                QuestionResult(
                    index=index,
                    text=question.text,
                    correct=found[1] if found else None,
                    attempts=found[2] if found else 0,
                )
            )
        lessons.append(
            LessonResult(
                slug=slug,
                title=lesson.title,
                status=str(row.status) if row else "",
                best_score=row.best_score if row else None,
                last_score=row.last_score if row else None,
                attempts=row.attempt if row else 0,
                passed_at=row.passed_at if row else None,
                questions=tuple(questions),
            )
        )
    return TraineePage(
        person_id=person_id,
        name=person.display_name or f"#{person_id}",
        channel=person.channel,
        language=person.language,
        role=str(person.role),
        course_id=course.id,
        cohorts=tuple(sorted(((i, n) for i, n, _, _ in classes if i is not None), key=_by_name)),
        last_seen_at=person.last_seen_at,
        last_active=last_active,
        reminders_on=person.reminder_time is not None,
        reminder_time=person.reminder_time,
        lessons=tuple(lessons),
    )


def _by_name(cohort: tuple[int, str]) -> tuple[str, int]:
    return cohort[1], cohort[0]
