"""Forgetting trainees leaves the coordinator's figures as they were: their contribution moves
into anonymous totals before their rows are deleted."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from bot.cohorts.privacy import forget
from bot.db.models import Person
from bot.stats import CohortStats, all_cohort_stats, cohort_stats, trainee_rows
from bot.stats.asked import missed_questions
from bot.stats.dashboard import class_rows, programme_overview
from tests.stats.conftest import NOW, Programme


async def figures(programme: Programme) -> list[CohortStats]:
    """Every cohort's figures, then the course overall."""
    runtime = programme.runtime
    courses = runtime.academy.services.courses
    async with runtime.sessions() as session:
        every = await all_cohort_stats(session, courses, NOW)
        overall = await cohort_stats(session, courses, None, NOW, course_id="sample")
    return [*every, overall]


async def forget_people(programme: Programme, *names: str) -> None:
    runtime = programme.runtime
    for name in names:
        async with runtime.sessions() as session:
            person = await session.get(Person, programme.people[name])
            assert person is not None
            await forget(session, person, runtime.academy.services.courses, NOW)
            await session.commit()


async def test_forgetting_trainees_keeps_every_figure_but_activity_and_waiting(
    programme: Programme,
) -> None:
    before = await figures(programme)
    # Eva is in Alpha and Beta (and asked once before joining); Ben's question waits for Leo.
    await forget_people(programme, "Eva", "Ben")
    after = await figures(programme)

    assert [s.name for s in after] == [s.name for s in before]
    for old, new in zip(before, after, strict=True):
        kept = replace(
            old, active_7d=new.active_7d, asked=replace(old.asked, waiting=new.asked.waiting)
        )
        assert new == kept, old.name
    alpha, beta, overall = after  # Gamma's course is retired: not in the figures
    # Who studied this week is about living people: Eva and Ben are no longer active.
    assert [s.active_7d for s in before] == [3, 2, 4]
    assert [s.active_7d for s in after] == [1, 1, 2]
    # Their questions are deleted, so none waits for the lecturer any more.
    assert [s.asked.waiting for s in before] == [1, 1, 2]
    assert [s.asked.waiting for s in after] == [0, 1, 1]
    assert (alpha.enrolled, beta.enrolled, overall.enrolled) == (5, 3, 7)


async def test_forgotten_trainees_leave_the_trainee_sheet(programme: Programme) -> None:
    await forget_people(programme, "Eva")
    runtime = programme.runtime
    course = runtime.academy.services.courses["sample"]
    async with runtime.sessions() as session:
        rows = await trainee_rows(session, course, None)
        names = [row.name for row in rows]
        left = [p.display_name for p in await session.exec(select(Person))]
    assert "Eva" not in names and len(names) == 6
    assert "Eva" not in left


async def test_the_dashboard_keeps_forgotten_trainees_in_its_figures(
    programme: Programme,
) -> None:
    courses = programme.runtime.academy.services.courses
    alpha = programme.cohorts["Alpha"]
    await forget_people(programme, "Eva", "Ben")
    async with programme.runtime.sessions() as session:
        overall = await cohort_stats(session, courses, None, NOW)
        of_alpha = await cohort_stats(session, courses, alpha, NOW)
        overview = await programme_overview(session, courses, NOW)
        alpha_view = await programme_overview(session, courses, NOW, cohort_ids=[alpha])
        rows = await class_rows(session, courses, NOW)
        _, missed = await missed_questions(session, courses)
        _, missed_alpha = await missed_questions(session, courses, cohort_ids=[alpha])
    for view, stats in ((overview, overall), (alpha_view, of_alpha)):
        assert (view.enrolled, view.finished, view.average_score) == (
            stats.enrolled,
            stats.completed,
            stats.average_score,
        )
        assert (view.asked, view.unanswered, view.lessons) == (
            stats.asked.total,
            stats.asked.unanswered,
            tuple(stats.lessons),
        )
    assert (overview.enrolled, overview.finished, alpha_view.enrolled) == (7, 2, 5)
    assert (rows[0].members, rows[0].finished, rows[1].members) == (5, 2, 3)
    assert missed == overall.most_missed and missed_alpha == of_alpha.most_missed
    assert [(q.index, q.wrong, q.answers) for q in missed_alpha] == [(0, 2, 5)]
