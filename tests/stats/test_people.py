"""A class page's and a trainee page's data on the programme of conftest.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.db.models import Cohort, LessonProgress, Person
from bot.stats.model import UnknownCohort, UnknownCourse
from bot.stats.people import class_page, trainee_page
from bot.stats.views import QuestionResult, UnknownTrainee
from tests.stats.conftest import NOW, F, G, Programme

# When each trainee last moved in the course (a card or an answer); Fay keeps hers from now.
MOVED = {
    "Ana": datetime(2026, 2, 1, tzinfo=UTC),  # long ago, but finished: not stuck
    "Ben": datetime(2026, 3, 2, 15, tzinfo=UTC),  # 8 days: stuck
    "Cai": datetime(2026, 3, 9, tzinfo=UTC),  # yesterday
    "Dora": NOW - timedelta(days=7),  # exactly 7 days: stuck
    "Eva": datetime(2026, 2, 1, tzinfo=UTC),  # finished
}


async def moved(programme: Programme) -> None:
    async with programme.runtime.sessions() as session:
        for name, at in MOVED.items():
            rows = await session.exec(
                select(LessonProgress).where(LessonProgress.person_id == programme.people[name])
            )
            for row in rows:
                row.updated_at = at
        dora = await session.get(Person, programme.people["Dora"])
        assert dora is not None
        dora.reminder_time = None
        alpha = await session.get(Cohort, programme.cohorts["Alpha"])
        assert alpha is not None
        alpha.lecturer_id = programme.people["Leo"]
        await session.commit()


async def test_a_class_page(programme: Programme) -> None:
    await moved(programme)
    courses = programme.runtime.academy.services.courses
    async with programme.runtime.sessions() as session:
        page = await class_page(session, courses, programme.cohorts["Alpha"], NOW, "es")
    assert (page.name, page.course_id, page.lecturer, page.invite_code) == (
        "Alpha",
        "sample",
        "Leo",
        "INV-Alpha",
    )
    assert page.lesson_titles[1] == "Tome fotos que den confianza" and page.stuck_days == 7
    # Leo is a member but a lecturer: not listed.
    assert [m.name for m in page.members] == ["Ana", "Ben", "Cai", "Dora", "Eva"]
    table = [
        (m.name, m.reached, m.reached_slug, m.reached_status, m.passed, m.best_scores, m.finished)
        for m in page.members
    ]
    assert table == [
        ("Ana", 2, G, "passed", 2, (1.0, 0.5), True),
        ("Ben", 2, G, "failed", 1, (0.5, 0.0), False),
        ("Cai", 1, F, "quiz", 0, (None, None), False),
        ("Dora", 1, F, "reading", 0, (None, None), False),
        ("Eva", 2, G, "passed", 2, (1.0, 1.0), True),
    ]
    assert [m.last_active for m in page.members] == [
        date(2026, 3, 10),
        date(2026, 3, 4),
        date(2026, 3, 3),
        None,
        date(2026, 3, 9),
    ]
    assert [m.reminders_on for m in page.members] == [True, True, True, False, True]
    assert [m.name for m in page.stuck] == ["Ben", "Dora"]
    assert page.members[1].last_progress_at == MOVED["Ben"]
    assert page.members[1].reached_title == "Tome fotos que den confianza"


async def test_a_trainee_who_never_began_is_stuck_a_week_after_joining(
    programme: Programme,
) -> None:
    courses = programme.runtime.academy.services.courses
    beta = programme.cohorts["Beta"]
    async with programme.runtime.sessions() as session:
        page = await class_page(session, courses, beta, NOW)
        early = await class_page(session, courses, beta, datetime(2026, 3, 10, 8, tzinfo=UTC))
        patient = await class_page(session, courses, beta, NOW, stuck_after=timedelta(days=8))
    gus = page.members[-1]
    assert (gus.name, gus.reached, gus.reached_slug, gus.last_progress_at) == ("Gus", 0, "", None)
    # Joined 03-03 09:00 and never began: 7 days and 6 hours at NOW, not yet at 08:00.
    assert [m.name for m in page.stuck] == ["Gus"]
    assert early.stuck == () and patient.stuck == () and patient.stuck_days == 8


async def test_a_class_page_of_an_unknown_class_or_course(programme: Programme) -> None:
    courses = programme.runtime.academy.services.courses
    async with programme.runtime.sessions() as session:
        with pytest.raises(UnknownCohort):
            await class_page(session, courses, 9999, NOW)
        with pytest.raises(UnknownCourse):
            await class_page(session, courses, programme.cohorts["Gamma"], NOW)


async def test_a_trainee_page(programme: Programme) -> None:
    courses = programme.runtime.academy.services.courses
    async with programme.runtime.sessions() as session:
        ben = await trainee_page(session, courses, programme.people["Ben"], "zh")
        eva = await trainee_page(session, courses, programme.people["Eva"])
    assert (ben.name, ben.channel, ben.course_id, ben.role) == ("Ben", "test", "sample", "trainee")
    assert ben.cohorts == ((programme.cohorts["Alpha"], "Alpha"),)
    assert (ben.last_active, ben.reminders_on, ben.reminder_time) == (
        date(2026, 3, 4),
        True,
        "19:00",
    )
    first, second = ben.lessons
    assert (first.slug, first.status, first.best_score) == (F, "passed", 0.5)
    assert (second.slug, second.status, second.best_score) == (G, "failed", 0.0)
    assert first.title == "先挑一样产品开始卖"
    # q0 wrong then right (latest: right, 2 attempts); q1 wrong twice.
    assert first.questions == (
        QuestionResult(0, "刚开始，先卖什么？", True, 2),
        QuestionResult(1, "谁能帮您开店？", False, 2),
    )
    assert [(q.correct, q.attempts) for q in second.questions] == [(False, 1), (False, 1)]
    assert eva.cohorts == (
        (programme.cohorts["Alpha"], "Alpha"),
        (programme.cohorts["Beta"], "Beta"),
    )
    assert [(q.correct, q.attempts) for q in eva.lessons[1].questions] == [(True, 1), (True, 1)]


async def test_a_trainee_page_of_someone_who_never_studied(programme: Programme) -> None:
    courses = programme.runtime.academy.services.courses
    async with programme.runtime.sessions() as session:
        gus = await trainee_page(session, courses, programme.people["Gus"])
        with pytest.raises(UnknownTrainee):
            await trainee_page(session, courses, 9999)
        with pytest.raises(UnknownCourse):
            await trainee_page(session, courses, programme.people["Hal"])  # retired course
    assert gus.last_active is None
    assert [(lesson.status, lesson.best_score, lesson.attempts) for lesson in gus.lessons] == [
        ("", None, 0),
        ("", None, 0),
    ]
    assert all(q.correct is None and q.attempts == 0 for q in gus.lessons[0].questions)
