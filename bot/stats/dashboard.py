"""The coordinator's dashboard: the programme at a glance, activity over time, classes side by side.

A view covers a set of classes of one course: every class (`cohort_ids` None), or some (a
lecturer's own, `lecturer_cohorts`). Every figure is the one `academy stats` prints, from the same
queries (`bot.stats.queries`), with these choices for a set of classes that is not all of them:

- each trainee of the set counts once, as overall (a person in two of the classes is one);
- the questions counted are those asked from one of the classes (as per class);
- forgotten trainees' anonymous totals are those of each class of the set, added up (a forgotten
  person who was in two of the classes counts in both: their classes are not kept).

For every class these are exactly the overall figures; for one class, exactly that class's.

**Activity over time**: for each of the last `periods` periods of `days_per_period` days (the last
ending today, in UTC), the trainees with an `ActivityDay` in it: the same test as `active_7d`, so
the last week's point equals it. Days after today (a timezone ahead of UTC) count in the last.
Forgotten trainees' activity is not kept, as for `active_7d`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, literal
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ActivityDay, Cohort, Person
from bot.lessons.model import Course
from bot.stats.queries import _assemble, _course, _figures, _members, main_course
from bot.stats.totals import OVERALL, Figures, add_forgotten
from bot.stats.views import Activity, ActivityPoint, ClassRow, ClassSort, Overview

WEEKS = 8  # activity over time: the default number of periods


async def lecturer_cohorts(session: AsyncSession, lecturer_id: int) -> tuple[int, ...]:
    """The ids of the classes `lecturer_id` leads, in id order."""
    found = await session.exec(
        select(Cohort.id).where(Cohort.lecturer_id == lecturer_id).order_by(col(Cohort.id))
    )
    return tuple(i for i in found if i is not None)


async def scope(
    session: AsyncSession,
    courses: Mapping[str, Course],
    course_id: str | None,
    cohort_ids: Collection[int] | None,
) -> tuple[Course, list[int] | None]:
    """The course a view is about, and the ids of the classes of the set that follow it (None:
    every class). `course_id` None: the loaded course most of the set's classes follow (a tie
    goes to the first id in alphabetical order); for every class, or a set with none of a loaded
    course, `main_course`; with no class at all, the first loaded course. Raises UnknownCourse."""
    if cohort_ids is None:
        if course_id is None:
            course_id = await main_course(session) or next(iter(courses))
        return _course(courses, course_id), None
    rows = list(
        await session.exec(
            select(Cohort.id, Cohort.course_id).where(col(Cohort.id).in_(sorted(cohort_ids)))
        )
    )
    if course_id is None:
        counts: dict[str, int] = {}
        for _, of_course in rows:
            if of_course in courses:  # a retired course shows no figures (as in all_cohort_stats)
                counts[of_course] = counts.get(of_course, 0) + 1
        ranked = sorted(counts.items(), key=lambda c: (-c[1], c[0]))
        course_id = ranked[0][0] if ranked else await main_course(session) or next(iter(courses))
    ids = sorted(i for i, of_course in rows if of_course == course_id and i is not None)
    return _course(courses, course_id), ids


def merge(into: Figures, other: Figures) -> None:
    """Add the counts of `other` (anonymous totals of another class) into `into`."""
    into.enrolled += other.enrolled
    into.completed += other.completed
    into.score_sum += other.score_sum
    into.score_count += other.score_count
    into.unanswered += other.unanswered
    for slug, passed in other.passed.items():
        into.passed[slug] = into.passed.get(slug, 0) + passed
    for topic, count in other.asked.items():
        into.asked[topic] = into.asked.get(topic, 0) + count
    for key, (wrong, answers) in other.missed.items():
        was_wrong, was_answers = into.missed.get(key, (0, 0))
        into.missed[key] = (was_wrong + wrong, was_answers + answers)


async def set_figures(
    session: AsyncSession, course: Course, ids: list[int] | None, now: datetime
) -> Figures:
    """The raw counts of the set (every class of `course` when `ids` is None), forgotten
    trainees included, as defined in the module's docstring; no receipts."""
    members = _members(course.id, ids, merged=True)
    groups = await _figures(
        session, course, members, now, False, asked_in=ids, missed=False, receipts=False
    )
    figures = groups.get(OVERALL, Figures())
    if ids is None:
        await add_forgotten(session, course.id, set(course.lessons), groups, [OVERALL])
        return groups.get(OVERALL, figures)
    forgotten: dict[int, Figures] = {}
    await add_forgotten(session, course.id, set(course.lessons), forgotten, ids)
    for part in forgotten.values():
        merge(figures, part)
    return figures


async def programme_overview(
    session: AsyncSession,
    courses: Mapping[str, Course],
    now: datetime,
    language: str = "en",
    *,
    cohort_ids: Collection[int] | None = None,
    course_id: str | None = None,
) -> Overview:
    """The programme at a glance for a set of classes of one course (see `scope`): enrolled,
    active in 7 days, finished, average score, questions asked, declined and waiting, and the
    completion per lesson; titles in `language`. Raises UnknownCourse."""
    course, ids = await scope(session, courses, course_id, cohort_ids)
    figures = await set_figures(session, course, ids, now)
    stats = _assemble(course, None, course.text_in(course.title, language), figures, language)
    if ids is None:
        counted = select(func.count()).select_from(Cohort).where(Cohort.course_id == course.id)
        classes = (await session.exec(counted)).one()
    else:
        classes = len(ids)
    return Overview(
        course_id=course.id,
        name=stats.name,
        classes=int(classes),
        enrolled=stats.enrolled,
        active_7d=stats.active_7d,
        finished=stats.completed,
        completion_rate=stats.completion_rate,
        average_score=stats.average_score,
        asked=stats.asked.total,
        unanswered=stats.asked.unanswered,
        waiting=stats.asked.waiting,
        lessons=tuple(stats.lessons),
    )


async def activity_over_time(
    session: AsyncSession,
    course_id: str,
    now: datetime,
    *,
    cohort_ids: Collection[int] | None = None,
    periods: int = WEEKS,
    days_per_period: int = 7,
) -> Activity:
    """Active trainees per period (see the module's docstring) among the trainees of the classes
    `cohort_ids` of `course_id` (None: every class of it), each person once; oldest first."""
    if periods < 1 or days_per_period < 1:
        raise ValueError("periods and days_per_period must be at least 1")
    ids = None if cohort_ids is None else sorted(cohort_ids)
    members = _members(course_id, ids, merged=True)
    m = members.c
    today = now.astimezone(UTC).date()
    starts = [today - timedelta(days=(k + 1) * days_per_period - 1) for k in range(periods)]
    day = col(ActivityDay.day)
    bucket = case(*((day >= start, literal(k)) for k, start in enumerate(starts)), else_=None)
    # Bucketed in a subquery and grouped outside: PostgreSQL does not see a GROUP BY expression
    # with bound parameters as the one selected.
    studied = (
        select(m.pid.label("pid"), bucket.label("k"))
        .select_from(members)
        .join(ActivityDay, col(ActivityDay.person_id) == m.pid)
        .where(day >= starts[-1])
        .subquery("studied")
    )
    s = studied.c
    per_period = select(s.k, func.count(func.distinct(s.pid))).group_by(s.k)
    active = {int(k): int(n) for k, n in await session.exec(per_period)}
    enrolled = (await session.exec(select(func.count()).select_from(members))).one()
    points = tuple(
        ActivityPoint(start, start + timedelta(days=days_per_period - 1), active.get(k, 0))
        for k, start in reversed(list(enumerate(starts)))
    )
    return Activity(days_per_period, points, int(enrolled))


async def class_rows(
    session: AsyncSession,
    courses: Mapping[str, Course],
    now: datetime,
    *,
    cohort_ids: Collection[int] | None = None,
    sort: ClassSort = ClassSort.name,
    descending: bool = False,
) -> list[ClassRow]:
    """One row per class (every class, or those of `cohort_ids`) with the figures of `academy
    stats`'s cohort table, sorted by `sort` (ties by name, then id; a missing average last
    either way). Classes whose course is not in the content are left out, as there."""
    statement = (
        select(Cohort, Person.id, Person.display_name)
        .outerjoin(Person, col(Person.id) == Cohort.lecturer_id)
        .order_by(Cohort.name, col(Cohort.id))
    )
    if cohort_ids is not None:
        statement = statement.where(col(Cohort.id).in_(sorted(cohort_ids)))
    found = list(await session.exec(statement))
    by_course: dict[str, list[int]] = {}
    for cohort, _, _ in found:
        if cohort.id is not None and cohort.course_id in courses:
            by_course.setdefault(cohort.course_id, []).append(cohort.id)
    figures: dict[int, Figures] = {}
    for course_id, ids in by_course.items():
        course = courses[course_id]
        members = _members(course_id, ids)
        groups = await _figures(session, course, members, now, True, missed=False, receipts=False)
        await add_forgotten(session, course_id, set(course.lessons), groups, ids)
        figures.update(groups)
    rows = []
    for cohort, lecturer_id, lecturer in found:
        if cohort.id is None or cohort.course_id not in courses:
            continue
        f = figures.get(cohort.id, Figures())
        rows.append(
            ClassRow(
                cohort_id=cohort.id,
                name=cohort.name,
                course_id=cohort.course_id,
                lecturer_id=lecturer_id,
                lecturer=lecturer or (f"#{lecturer_id}" if lecturer_id else ""),
                members=f.enrolled,
                active_7d=f.active,
                finished=f.completed,
                completion_rate=f.completed / f.enrolled if f.enrolled else 0.0,
                average_score=f.score_sum / f.score_count if f.score_count else None,
                open_questions=f.waiting,
            )
        )
    return sort_classes(rows, sort, descending)


def sort_classes(rows: Sequence[ClassRow], sort: ClassSort, descending: bool) -> list[ClassRow]:
    """`rows` sorted by the column `sort`; ties keep name-then-id order; None values last."""
    ordered = sorted(rows, key=lambda r: (r.name.casefold(), r.name, r.cohort_id))
    if sort is ClassSort.name:
        return list(reversed(ordered)) if descending else ordered

    def value(row: ClassRow) -> object:
        found = getattr(row, sort.value)
        return found.casefold() if isinstance(found, str) else found

    known = [r for r in ordered if value(r) is not None]
    missing = [r for r in ordered if value(r) is None]
    known.sort(key=value, reverse=descending)  # type: ignore[arg-type]  # one type per column
    return known + missing
