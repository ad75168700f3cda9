"""The trainee's progress, in domain words: which lesson is next, answers, reviews, streaks."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    ActivityDay,
    Cohort,
    LessonProgress,
    LessonStatus,
    Person,
    QuizAnswer,
    ReviewItem,
)
from bot.db.upsert import insert_ignore
from bot.lessons.model import Course
from bot.localtime import local_day

# A missed question comes back after 1, 3, then 7 days; right after that, it counts as learned.
REVIEW_INTERVALS = (timedelta(days=1), timedelta(days=3), timedelta(days=7))


async def lesson_progress(
    session: AsyncSession, person: Person, course: Course
) -> dict[str, LessonProgress]:
    """Every lesson of the course the person has opened, by slug."""
    rows = await session.exec(
        select(LessonProgress).where(
            LessonProgress.person_id == person.id, LessonProgress.course_id == course.id
        )
    )
    return {row.lesson: row for row in rows}


def next_lesson(course: Course, progress: dict[str, LessonProgress]) -> str | None:
    """The first lesson, in course order, not passed yet; None when all are."""
    for slug in course.lessons:
        row = progress.get(slug)
        if row is None or row.status != LessonStatus.passed:
            return slug
    return None


async def locking_class(
    session: AsyncSession, person: Person, course: Course, slug: str
) -> Cohort | None:
    """The person's class when its lesson plan has not unlocked lesson `slug` yet; None when the
    lesson is open to them (no class, no plan, another course, or unlocked already)."""
    cohort = await session.get(Cohort, person.cohort_id) if person.cohort_id else None
    if cohort is None or cohort.unlocked is None or cohort.course_id != course.id:
        return None
    return cohort if course.number(slug) > cohort.unlocked else None


async def open_lesson(
    session: AsyncSession, person: Person, course: Course, slug: str, now: datetime
) -> LessonProgress:
    """The person's progress row for a lesson, created at its first card."""
    row = (
        await session.exec(
            select(LessonProgress).where(
                LessonProgress.person_id == person.id,
                LessonProgress.course_id == course.id,
                LessonProgress.lesson == slug,
            )
        )
    ).first()
    if row is None:
        assert person.id is not None
        row = LessonProgress(
            person_id=person.id, course_id=course.id, lesson=slug, started_at=now, updated_at=now
        )
        session.add(row)
    return row


def start_quiz(row: LessonProgress, now: datetime) -> None:
    row.status, row.question, row.correct = LessonStatus.quiz, 0, 0
    row.attempt += 1
    row.updated_at = now


def start_reading(row: LessonProgress, now: datetime) -> None:
    row.status, row.card = LessonStatus.reading, 0
    row.updated_at = now


def right_to_pass(course: Course, questions: int) -> int:
    """How many right answers out of `questions` pass a lesson of `course`."""
    return math.ceil(course.pass_mark * questions - 1e-9)


@dataclass(frozen=True)
class QuizResult:
    right: int
    total: int
    passed: bool

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 0


async def record_quiz_answer(
    session: AsyncSession,
    person: Person,
    course: Course,
    row: LessonProgress,
    chosen: int,
    correct: bool,
    questions: int,
    now: datetime,
) -> QuizResult | None:
    """Count one answer of the current question; returns the result when it was the last one."""
    assert person.id is not None
    session.add(
        QuizAnswer(
            person_id=person.id,
            course_id=course.id,
            lesson=row.lesson,
            attempt=row.attempt,
            question=row.question,
            chosen=chosen,
            correct=correct,
            answered_at=now,
        )
    )
    if not correct:
        await schedule_review(session, person, course.id, row.lesson, row.question, now)
    row.correct += int(correct)
    row.question += 1
    row.updated_at = now
    if row.question < questions:
        return None
    result = QuizResult(row.correct, questions, row.correct >= right_to_pass(course, questions))
    score = row.correct / questions
    row.last_score = score
    row.best_score = max(score, row.best_score or 0.0)
    row.status = LessonStatus.passed if result.passed else LessonStatus.failed
    if result.passed and row.passed_at is None:
        row.passed_at = now
    return result


async def given_answer(
    session: AsyncSession, person: Person, course: Course, slug: str, attempt: int, question: int
) -> QuizAnswer | None:
    """The answer the person gave to one question of one quiz attempt, if any."""
    return (
        await session.exec(
            select(QuizAnswer).where(
                QuizAnswer.person_id == person.id,
                QuizAnswer.course_id == course.id,
                QuizAnswer.lesson == slug,
                QuizAnswer.attempt == attempt,
                QuizAnswer.question == question,
            )
        )
    ).first()


async def missed_questions(
    session: AsyncSession, person: Person, course: Course, row: LessonProgress
) -> list[int]:
    """The questions (by index) answered wrong in the row's latest quiz attempt, in order."""
    missed = await session.exec(
        select(QuizAnswer.question)
        .where(
            QuizAnswer.person_id == person.id,
            QuizAnswer.course_id == course.id,
            QuizAnswer.lesson == row.lesson,
            QuizAnswer.attempt == row.attempt,
            col(QuizAnswer.correct).is_(False),
        )
        .order_by(col(QuizAnswer.question))
    )
    return sorted(set(missed))


async def schedule_review(
    session: AsyncSession, person: Person, course_id: str, slug: str, question: int, now: datetime
) -> None:
    """A missed question comes back tomorrow (again from the first interval if already queued)."""
    item = (
        await session.exec(
            select(ReviewItem).where(
                ReviewItem.person_id == person.id,
                ReviewItem.course_id == course_id,
                ReviewItem.lesson == slug,
                ReviewItem.question == question,
            )
        )
    ).first()
    if item is None:
        assert person.id is not None
        item = ReviewItem(
            person_id=person.id,
            course_id=course_id,
            lesson=slug,
            question=question,
            due_at=now + REVIEW_INTERVALS[0],
        )
    item.step, item.due_at = 0, now + REVIEW_INTERVALS[0]
    session.add(item)
    await refresh_review_due(session, person)


async def refresh_review_due(session: AsyncSession, person: Person) -> None:
    """Keep the person's copy of their earliest due review in step with the review items."""
    earliest = await session.exec(
        select(func.min(ReviewItem.due_at)).where(ReviewItem.person_id == person.id)
    )
    person.review_due_at = earliest.one()
    session.add(person)


def reschedule(item: ReviewItem, correct: bool, now: datetime) -> bool:
    """Move a reviewed question along the schedule; True when it is learned (to be deleted)."""
    if not correct:
        item.step, item.due_at = 0, now + REVIEW_INTERVALS[0]
        return False
    item.step += 1
    if item.step >= len(REVIEW_INTERVALS):
        return True
    item.due_at = now + REVIEW_INTERVALS[item.step]
    return False


async def due_reviews(session: AsyncSession, person: Person, course: Course, now: datetime) -> int:
    """How many review questions are due; no query at all when none can be."""
    if person.review_due_at is None or person.review_due_at > now:
        return 0
    count = await session.exec(
        select(func.count()).where(
            ReviewItem.person_id == person.id,
            ReviewItem.course_id == course.id,
            ReviewItem.due_at <= now,
        )
    )
    return int(count.one())


async def next_review(
    session: AsyncSession, person: Person, course: Course, now: datetime
) -> ReviewItem | None:
    return (
        await session.exec(
            select(ReviewItem)
            .where(
                ReviewItem.person_id == person.id,
                ReviewItem.course_id == course.id,
                ReviewItem.due_at <= now,
            )
            .order_by(col(ReviewItem.due_at), col(ReviewItem.id))
            .limit(1)
        )
    ).first()


async def record_activity(session: AsyncSession, person: Person, now: datetime) -> None:
    """Mark today (in the person's timezone) as a day they studied."""
    await insert_ignore(session, ActivityDay, person_id=person.id, day=local_day(person, now))


async def streak(session: AsyncSession, person: Person, now: datetime) -> int:
    """Days in a row with study, ending today (or yesterday, if today has none yet)."""
    days = list(
        await session.exec(
            select(col(ActivityDay.day))
            .where(ActivityDay.person_id == person.id)
            .order_by(col(ActivityDay.day).desc())
            .limit(400)
        )
    )
    today = local_day(person, now)
    if not days or days[0] < today - timedelta(days=1):
        return 0
    count, expected = 0, days[0]
    for day in days:
        if day != expected:
            break
        count += 1
        expected = day - timedelta(days=1)
    return count


@dataclass(frozen=True)
class Summary:
    passed: int
    total: int
    average: float | None  # mean best quiz score of the lessons with a finished quiz


def summarise(course: Course, progress: dict[str, LessonProgress]) -> Summary:
    rows = [progress[s] for s in course.lessons if s in progress]
    scores = [r.best_score for r in rows if r.best_score is not None]
    passed = sum(1 for r in rows if r.status == LessonStatus.passed)
    return Summary(passed, len(course.lessons), sum(scores) / len(scores) if scores else None)
