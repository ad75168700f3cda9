"""The dashboard's overview, activity over time and classes side by side, on the programme of
conftest.py: the same numbers as `academy stats` (its queries), and each one checked by hand."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.db.models import Cohort
from bot.stats import all_cohort_stats, cohort_stats
from bot.stats.dashboard import (
    activity_over_time,
    class_rows,
    lecturer_cohorts,
    programme_overview,
)
from bot.stats.model import CohortStats, UnknownCourse
from bot.stats.views import ClassSort, Overview
from tests.stats.conftest import NOW, F, G, Programme


def same_as(stats: CohortStats) -> tuple[object, ...]:
    """The figures of `academy stats` that the overview shows."""
    a = stats.asked
    done = (stats.enrolled, stats.active_7d, stats.completed, stats.completion_rate)
    return (*done, stats.average_score, a.total, a.unanswered, a.waiting, tuple(stats.lessons))


def shown(overview: Overview) -> tuple[object, ...]:
    o = overview
    done = (o.enrolled, o.active_7d, o.finished, o.completion_rate)
    return (*done, o.average_score, o.asked, o.unanswered, o.waiting, o.lessons)


async def lead(programme: Programme, cohort: str, lecturer: str) -> None:
    async with programme.runtime.sessions() as session:
        found = await session.get(Cohort, programme.cohorts[cohort])
        assert found is not None
        found.lecturer_id = programme.people[lecturer]
        await session.commit()


async def test_the_overview_prints_the_numbers_of_academy_stats(programme: Programme) -> None:
    courses = programme.runtime.academy.services.courses
    async with programme.runtime.sessions() as session:
        overview = await programme_overview(session, courses, NOW, "zh")
        overall = await cohort_stats(session, courses, None, NOW, "zh")
    assert shown(overview) == same_as(overall)
    assert (overview.course_id, overview.name, overview.classes) == ("sample", overall.name, 2)
    # By hand (conftest.py): Ana..Gus, Eva once; Ana, Ben, Eva, Fay studied; Ana and Eva finished.
    assert (overview.enrolled, overview.active_7d, overview.finished) == (7, 4, 2)
    assert overview.average_score == pytest.approx(4.0 / 7)
    assert (overview.asked, overview.unanswered, overview.waiting) == (10, 3, 2)
    assert [(x.slug, x.passed) for x in overview.lessons] == [(F, 3), (G, 2)]


async def test_a_lecturers_overview_is_their_class(programme: Programme) -> None:
    await lead(programme, "Alpha", "Leo")
    courses = programme.runtime.academy.services.courses
    async with programme.runtime.sessions() as session:
        own = await lecturer_cohorts(session, programme.people["Leo"])
        assert own == (programme.cohorts["Alpha"],)
        assert await lecturer_cohorts(session, programme.people["Ana"]) == ()
        overview = await programme_overview(session, courses, NOW, cohort_ids=own)
        alpha = await cohort_stats(session, courses, own[0], NOW)
    assert shown(overview) == same_as(alpha)
    assert (overview.enrolled, overview.classes, overview.asked, overview.waiting) == (5, 1, 7, 1)


async def test_a_set_of_classes_counts_questions_asked_from_them(programme: Programme) -> None:
    courses = programme.runtime.academy.services.courses
    both = [programme.cohorts["Alpha"], programme.cohorts["Beta"], programme.cohorts["Gamma"]]
    async with programme.runtime.sessions() as session:
        overview = await programme_overview(session, courses, NOW, cohort_ids=both)
        nothing = await programme_overview(session, courses, NOW, cohort_ids=[])
        retired = await programme_overview(
            session, courses, NOW, cohort_ids=[programme.cohorts["Gamma"]]
        )
    # Gamma follows another course: left out. Eva's question asked before joining is not
    # asked from either class, so the set has 9 where overall has 10.
    assert (overview.course_id, overview.classes, overview.enrolled) == ("sample", 2, 7)
    assert (overview.asked, overview.unanswered, overview.waiting) == (9, 3, 2)
    assert (nothing.enrolled, nothing.classes, nothing.asked, nothing.average_score) == (
        0,
        0,
        0,
        None,
    )
    # Only a class of a course no longer in the content: the main course, with none of its classes.
    assert (retired.course_id, retired.classes, retired.enrolled) == ("sample", 0, 0)
    with pytest.raises(UnknownCourse):
        async with programme.runtime.sessions() as session:
            await programme_overview(session, courses, NOW, course_id="retired")


async def test_activity_week_by_week_ends_with_active_7d(programme: Programme) -> None:
    async with programme.runtime.sessions() as session:
        weeks = await activity_over_time(session, "sample", NOW, periods=3)
        alpha = await activity_over_time(
            session, "sample", NOW, cohort_ids=[programme.cohorts["Alpha"]], periods=2
        )
    assert [(p.start, p.end, p.active) for p in weeks.points] == [
        (date(2026, 2, 18), date(2026, 2, 24), 0),
        (date(2026, 2, 25), date(2026, 3, 3), 1),  # Cai
        (date(2026, 3, 4), date(2026, 3, 10), 4),  # Ana, Ben, Eva (twice: once), Fay
    ]
    assert (weeks.days_per_period, weeks.enrolled) == (7, 7)
    assert [p.active for p in alpha.points] == [1, 3] and alpha.enrolled == 5


async def test_activity_day_by_day(programme: Programme) -> None:
    async with programme.runtime.sessions() as session:
        days = await activity_over_time(session, "sample", NOW, periods=7, days_per_period=1)
        with pytest.raises(ValueError):
            await activity_over_time(session, "sample", NOW, periods=0)
    assert [(p.start.day, p.active) for p in days.points] == [
        (4, 1),  # Ben
        (5, 1),  # Fay
        (6, 0),
        (7, 0),
        (8, 1),  # Eva
        (9, 1),  # Eva
        (10, 1),  # Ana (Leo is a lecturer, Hal in another course)
    ]
    assert all(p.start == p.end for p in days.points)


async def test_classes_side_by_side_match_the_cohort_table(programme: Programme) -> None:
    await lead(programme, "Alpha", "Leo")
    courses = programme.runtime.academy.services.courses
    async with programme.runtime.sessions() as session:
        rows = await class_rows(session, courses, NOW)
        every = await all_cohort_stats(session, courses, NOW)
    assert [r.name for r in rows] == ["Alpha", "Beta"]  # Gamma's course is not in the content
    for row, stats in zip(rows, every, strict=True):
        assert (row.cohort_id, row.course_id, row.members, row.active_7d) == (
            stats.cohort_id,
            stats.course_id,
            stats.enrolled,
            stats.active_7d,
        )
        assert (row.finished, row.completion_rate, row.average_score) == (
            stats.completed,
            stats.completion_rate,
            stats.average_score,
        )
        assert row.open_questions == stats.asked.waiting
    alpha, beta = rows
    assert (alpha.lecturer, alpha.lecturer_id, beta.lecturer, beta.lecturer_id) == (
        "Leo",
        programme.people["Leo"],
        "",
        None,
    )
    assert (alpha.members, alpha.active_7d, alpha.finished, alpha.open_questions) == (5, 3, 2, 1)
    assert (beta.members, beta.active_7d, beta.finished, beta.open_questions) == (3, 2, 1, 1)


async def test_classes_sort_by_any_column(programme: Programme) -> None:
    courses = programme.runtime.academy.services.courses
    async with programme.runtime.sessions() as session:
        session.add(Cohort(name="Delta", course_id="sample", timezone="UTC", invite_code="D"))
        await session.commit()

        async def names(sort: ClassSort, descending: bool = False) -> list[str]:
            rows = await class_rows(session, courses, NOW, sort=sort, descending=descending)
            return [r.name for r in rows]

        assert await names(ClassSort.name) == ["Alpha", "Beta", "Delta"]
        assert await names(ClassSort.name, True) == ["Delta", "Beta", "Alpha"]
        assert await names(ClassSort.members) == ["Delta", "Beta", "Alpha"]
        assert await names(ClassSort.finished, True) == ["Alpha", "Beta", "Delta"]
        assert await names(ClassSort.active_7d) == ["Delta", "Beta", "Alpha"]
        # No average yet: last whichever the direction.
        assert (await names(ClassSort.average_score))[-1] == "Delta"
        assert (await names(ClassSort.average_score, True))[-1] == "Delta"
        # A tie (one open question each) keeps name order.
        assert await names(ClassSort.open_questions, True) == ["Alpha", "Beta", "Delta"]
        beta = [programme.cohorts["Beta"]]
        only = await class_rows(session, courses, NOW, cohort_ids=beta)
        assert [r.name for r in only] == ["Beta"]
        ids = list(await session.exec(select(Cohort.id)))
        assert len(ids) == 4
