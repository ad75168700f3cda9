"""Coordinator statistics per cohort and overall, computed with aggregate SQL.

Definitions (the figures a coordinator sees):

- **Trainees** of a cohort: the people with a `Membership` in it whose role is `trainee`
  (a lecturer or coordinator who joined to look around is not counted). **Overall** is per course:
  every trainee of every cohort following that course, each person counted once even when they
  are in two cohorts.
- **enrolled**: the number of trainees.
- **active_7d**: trainees with an `ActivityDay` in the last 7 days (`day >= today - 6`, today in
  UTC). Activity days are written only for studying (a lesson card, a quiz answer, a review), so a
  person who only pressed /start or Help is not "active"; `last_seen_at` would count them. Days are
  in the person's own timezone, so the window is 7 days give or take the hours of one timezone.
- **completion per lesson**: for each lesson of the course, in course order, the share of trainees
  whose `LessonProgress.status` is `passed`.
- **completion_rate**: the share of trainees who passed every lesson of the course.
- **average_score**: the mean of `LessonProgress.best_score` over the course's lessons where there
  is one (a finished quiz); None when no trainee finished a quiz.
- **most_missed**: the top 5 quiz questions (lesson, index) by share of wrong answers over every
  `QuizAnswer` of these trainees (all attempts), among questions with at least 5 answers; ties go
  to more wrong answers, then course order. Questions no longer in the lesson are left out.

Questions asked to the bot (`TraineeQuestion` rows about the group's course, asked by its trainees):

- A **cohort's** questions are those recorded with that cohort (`TraineeQuestion.cohort_id`: the
  cohort the person was in when asking), so a person in two cohorts has each question counted
  once, in the cohort they asked from. **Overall**: every question about the course asked by a
  trainee of its cohorts, once, whichever cohort it was asked from (also before joining one); so
  overall can be a little more than the sum of the cohorts.
- **asked.total**: the number of questions (cached answers included: a person asked).
- **asked.unanswered**: questions the bot declined (`answered` false: "the course does not
  cover this"); `unanswered_share` is that over total, None when nobody asked.
- **asked.waiting**: questions handed to the lecturer (`handed_off`) with no `lecturer_answer`
  yet, the same test as the lecturer's /questions list.
- **asked.topics**: the top 5 lessons by questions whose first (best) source is that lesson;
  ties go to course order. Lessons no longer in the course are left out (not "not covered").
- **asked.not_covered**: questions that matched no lesson (empty `sources`). Today the bot
  declines exactly these, so it equals `unanswered`; the two are kept apart because they mean
  different things (a lesson could match and the LLM still decline).

Messages on channels that report receipts (`MessageReceipt` rows: WhatsApp; Telegram reports
none, so a Telegram-only class has none of these and shows none of them). Receipts are kept for
90 days (`bot.db.receipts.KEEP`), so these cover the messages of the last three months:

- **reach.messages**: the messages sent to the group's trainees that report receipts (a person
  in two cohorts has theirs counted in both; overall, once).
- **reach.delivered** / **reach.read**: those of them that reached the phone / were read (a
  "read" implies "delivered"; read is a floor, as people can turn read receipts off).
- **reach.unreachable**: trainees for whom a message sent at least `unreachable_after`
  (UNREACHABLE_AFTER_DAYS, 7) ago was never delivered, and none sent since then was either:
  nothing has reached them for that long although we tried (a failed message counts as not
  delivered). WhatsApp never reports a block; this is how one shows. Anyone with a delivered
  message after the undelivered one, or whose undelivered messages are all younger, is not.

Forgotten trainees (`/forgetme`): their rows are deleted, and what they added to the counts
above is kept as anonymous totals per class and course (`bot.stats.totals`), added in here. So
every figure stays as it was, but `active_7d` and `asked.waiting` (they study and wait no more)
and `reach` (their messages leave the counts and what the shares are of).

Shares are fractions from 0 to 1 (0.0 when there are no trainees). Every figure comes from a few
GROUP BY queries over a "members" subquery (group key, person id), so 10,000 trainees cost a few
queries, not 10,000 objects; the same queries serve one cohort, all cohorts at once, or the
overall view. Only portable SQLAlchemy Core is used: the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, Subquery, case, func, literal
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from bot.db.models import (
    ActivityDay,
    Cohort,
    LessonProgress,
    LessonStatus,
    Membership,
    MessageReceipt,
    Person,
    QuizAnswer,
    Role,
    TraineeQuestion,
)
from bot.lessons.model import Course
from bot.stats.model import (
    AskedQuestions,
    CohortStats,
    LessonCompletion,
    MessageReach,
    MissedQuestion,
    Topic,
    TraineeRow,
    UnknownCohort,
    UnknownCourse,
)
from bot.stats.totals import OVERALL, Figures, add_forgotten, add_to_totals

log = logging.getLogger(__name__)

MOST_MISSED = 5  # questions listed
TOPICS = 5  # lessons listed as most asked about
MIN_ANSWERS = 5  # fewer answers than this say more about luck than about the question
ACTIVE_DAYS = 7
UNREACHABLE_AFTER = timedelta(days=7)  # the default of UNREACHABLE_AFTER_DAYS


@dataclass
class _Trainee:
    """A trainee being gathered for `trainee_rows`."""

    name: str
    cohorts: list[str]
    joined_at: datetime
    last_seen_at: datetime


def _members(
    course_id: str,
    cohort_ids: Sequence[int] | None,
    person_id: int | None = None,
    *,
    merged: bool = False,
) -> Subquery:
    """(g, pid): trainees keyed by cohort id, or by 0 for everyone following `course_id`; only
    `person_id` when given. `merged`: the trainees of `cohort_ids` together, keyed by 0."""
    trainee = col(Person.role) == Role.trainee
    if person_id is not None:
        trainee &= col(Membership.person_id) == person_id
    if cohort_ids is None or merged:
        scope = col(Cohort.course_id) == course_id
        if cohort_ids is not None:
            scope &= col(Cohort.id).in_(cohort_ids)
        # DISTINCT: a person in two cohorts of the course counts once overall.
        overall: Select[int, int] = (
            select(literal(OVERALL, Integer).label("g"), col(Membership.person_id).label("pid"))
            .join(Cohort, col(Cohort.id) == Membership.cohort_id)
            .join(Person, col(Person.id) == Membership.person_id)
            .where(scope, trainee)
            .distinct()
        )
        return overall.subquery("m")
    per_cohort: Select[int, int] = (
        select(col(Membership.cohort_id).label("g"), col(Membership.person_id).label("pid"))
        .join(Person, col(Person.id) == Membership.person_id)
        .where(col(Membership.cohort_id).in_(cohort_ids), trainee)
    )
    return per_cohort.subquery("m")


async def _figures(
    session: AsyncSession,
    course: Course,
    members: Subquery,
    now: datetime,
    by_cohort: bool,
    unreachable_after: timedelta = UNREACHABLE_AFTER,
    *,
    asked_in: Sequence[int] | None = None,
    missed: bool = True,
    receipts: bool = True,
) -> dict[int, Figures]:
    """Every count for every group of `members`, in seven GROUP BY queries.

    `by_cohort`: the groups are cohorts (their questions are the ones asked from them).
    `asked_in`: only the questions asked from these cohorts count. `missed`, `receipts`: False
    leaves the wrong answers per question, or the receipts' figures, out (empty), for views that
    do not show them (they are the two costliest queries)."""
    m = members.c
    lessons = set(course.lessons)
    groups: dict[int, Figures] = {}

    def group(key: int) -> Figures:
        return groups.setdefault(key, Figures())

    for key, count in await session.exec(select(m.g, func.count()).group_by(m.g)):
        group(key).enrolled = count

    since = now.astimezone(UTC).date() - timedelta(days=ACTIVE_DAYS - 1)
    studied = (
        select(ActivityDay.person_id)
        .where(ActivityDay.person_id == m.pid, col(ActivityDay.day) >= since)
        .exists()
    )
    for key, count in await session.exec(select(m.g, func.count()).where(studied).group_by(m.g)):
        group(key).active = count

    progress = (col(LessonProgress.person_id) == m.pid) & (
        col(LessonProgress.course_id) == course.id
    )
    is_passed = col(LessonProgress.status) == LessonStatus.passed
    per_lesson = (
        select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
            m.g,
            LessonProgress.lesson,
            func.sum(case((is_passed, 1), else_=0)),
            func.sum(LessonProgress.best_score),
            func.count(col(LessonProgress.best_score)),
        )
        .select_from(members)
        .join(LessonProgress, progress)
        .group_by(m.g, LessonProgress.lesson)
    )
    # Lessons no longer in the course are dropped here, not in SQL: `lesson IN (…)` would make
    # SQLite seek the index once per lesson and person instead of once per person (1.6x slower).
    for key, slug, passed, score_sum, score_count in await session.exec(per_lesson):
        if slug not in lessons:
            continue
        figures = group(key)
        figures.passed[slug] = int(passed or 0)
        figures.score_sum += float(score_sum or 0.0)
        figures.score_count += int(score_count)

    if lessons:
        # One row per passed lesson (unique per person and lesson): all passed <=> count == n.
        # The lesson test sits in HAVING so that it does not become an index seek per lesson.
        of_course = case((col(LessonProgress.lesson).in_(sorted(lessons)), 1), else_=0)
        finished = (
            select(m.g.label("g"), m.pid)
            .select_from(members)
            .join(LessonProgress, progress)
            .where(is_passed)
            .group_by(m.g, m.pid)
            .having(func.sum(of_course) == len(lessons))
            .subquery("finished")
        )
        count_finished = select(finished.c.g, func.count()).group_by(finished.c.g)
        for key, count in await session.exec(count_finished):
            group(key).completed = count

    answers = func.count()
    per_question = (
        select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
            m.g,
            QuizAnswer.lesson,
            QuizAnswer.question,
            func.sum(case((col(QuizAnswer.correct), 0), else_=1)),
            answers,
        )
        .select_from(members)
        .join(
            QuizAnswer,
            (col(QuizAnswer.person_id) == m.pid) & (col(QuizAnswer.course_id) == course.id),
        )
        .group_by(m.g, QuizAnswer.lesson, QuizAnswer.question)
    )
    # Every question, not only those with MIN_ANSWERS: forgotten people's answers add up later.
    for key, slug, question, wrong, total in await session.exec(per_question) if missed else ():
        if slug in lessons:
            group(key).missed[(slug, int(question))] = (int(wrong or 0), int(total))

    asked_about = (col(TraineeQuestion.person_id) == m.pid) & (
        col(TraineeQuestion.course_id) == course.id
    )
    if by_cohort:
        asked_about &= col(TraineeQuestion.cohort_id) == m.g
    if asked_in is not None:
        asked_about &= col(TraineeQuestion.cohort_id).in_(asked_in)
    waiting = col(TraineeQuestion.handed_off).is_(True) & col(TraineeQuestion.lecturer_answer).is_(
        None
    )
    # The topic is computed in a subquery and grouped outside: PostgreSQL does not see a
    # GROUP BY expression with bound parameters as the same as the one selected.
    asked = (
        select(
            m.g.label("g"),
            _first_source(course).label("topic"),
            case((col(TraineeQuestion.answered), 0), else_=1).label("unanswered"),
            case((waiting, 1), else_=0).label("waiting"),
        )
        .select_from(members)
        .join(TraineeQuestion, asked_about)
        .subquery("asked")
    )
    a = asked.c
    per_topic = select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
        a.g, a.topic, func.count(), func.sum(a.unanswered), func.sum(a.waiting)
    ).group_by(a.g, a.topic)
    for key, topic, count, unanswered, waiting_count in await session.exec(per_topic):
        figures = group(key)
        figures.asked[topic] = int(count)
        figures.unanswered += int(unanswered or 0)
        figures.waiting += int(waiting_count or 0)

    if not receipts:
        return groups
    per_person = _receipts_per_person(m.g, m.pid, members, now - unreachable_after)
    r = per_person.c
    reach = select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
        r.g,
        func.sum(r.messages),
        func.sum(r.delivered),
        func.sum(r.read),
        func.sum(case((r.unreachable, 1), else_=0)),
    ).group_by(r.g)
    for key, messages, delivered, read, unreachable in await session.exec(reach):
        figures = group(key)
        figures.messages, figures.delivered = int(messages or 0), int(delivered or 0)
        figures.read, figures.unreachable = int(read or 0), int(unreachable or 0)
    return groups


def _receipts_per_person(
    key: ColumnElement[int], person: ColumnElement[int], source: Subquery, cutoff: datetime
) -> Subquery:
    """(g, pid, messages, delivered, read, unreachable): one row per person of `source` with
    receipts, grouped by `key`. Unreachable: a message sent at or before `cutoff` never
    delivered, later than every delivered one (see the module's docstring)."""
    delivered_at, sent_at = col(MessageReceipt.delivered_at), col(MessageReceipt.sent_at)
    arrived = delivered_at.is_not(None)
    last_arrived = func.max(case((arrived, sent_at), else_=None))
    stale = func.max(case((~arrived & (sent_at <= cutoff), sent_at), else_=None))
    unreachable = stale.is_not(None) & (last_arrived.is_(None) | (stale > last_arrived))
    statement = (
        select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
            key.label("g"),
            person.label("pid"),
            func.count().label("messages"),
            func.count(delivered_at).label("delivered"),
            func.count(col(MessageReceipt.read_at)).label("read"),
            unreachable.label("unreachable"),
        )
        .select_from(source)
        .join(MessageReceipt, col(MessageReceipt.person_id) == person)
        .group_by(key, person)
    )
    subquery: Subquery = statement.subquery("receipts")
    return subquery


async def _counted(
    session: AsyncSession,
    course: Course,
    members: Subquery,
    keys: Sequence[int],
    now: datetime,
    by_cohort: bool,
    unreachable_after: timedelta,
) -> dict[int, Figures]:
    """`_figures` of the living, plus the anonymous totals forgotten trainees left in the groups
    `keys` (cohort ids, or OVERALL)."""
    groups = await _figures(session, course, members, now, by_cohort, unreachable_after)
    await add_forgotten(session, course.id, set(course.lessons), groups, keys)
    return groups


async def keep_anonymous_totals(
    session: AsyncSession, courses: Mapping[str, Course], person_id: int, now: datetime
) -> None:
    """Add what the person adds to every figure (of each of their classes, and of the course
    overall) into the anonymous totals, before their rows are deleted. A course no longer in
    the content shows no figures, so nothing of it is kept; nor of a person who is no trainee."""
    classes = await session.exec(
        select(Cohort.course_id, Cohort.id)
        .join(Membership, col(Membership.cohort_id) == Cohort.id)
        .where(Membership.person_id == person_id)
    )
    by_course: dict[str, list[int]] = {}
    for course_id, cohort_id in classes:
        if cohort_id is not None:
            by_course.setdefault(course_id, []).append(cohort_id)
    for course_id, ids in sorted(by_course.items()):
        course = courses.get(course_id)
        if course is None:
            continue
        members = _members(course_id, ids, person_id)
        groups = await _figures(session, course, members, now, by_cohort=True)
        overall = _members(course_id, None, person_id)
        groups.update(await _figures(session, course, overall, now, by_cohort=False))
        for key, figures in groups.items():
            await add_to_totals(session, course_id, key, figures)


def _first_source(course: Course) -> ColumnElement[str | None]:
    """The lesson slug first in `TraineeQuestion.sources`: "" when none matched, NULL when the
    lesson is no longer in the course. A CASE over the course's lessons, as SQLite has no split
    function (and PostgreSQL no `instr`)."""
    sources = col(TraineeQuestion.sources)
    listed = sources + ","
    first = [
        (func.substr(listed, 1, len(slug) + 1) == f"{slug},", literal(slug))
        for slug in course.lessons
    ]
    return case((sources == "", literal("")), *first, else_=None)


def _assemble(
    course: Course,
    cohort_id: int | None,
    name: str,
    figures: Figures,
    language: str,
) -> CohortStats:
    """Turn raw counts into shares, titles and question texts in `language`."""
    enrolled = figures.enrolled

    def share(count: int) -> float:
        return count / enrolled if enrolled else 0.0

    lessons = [
        LessonCompletion(
            slug=slug,
            title=course.lesson(slug, language).title,
            passed=figures.passed.get(slug, 0),
            share=share(figures.passed.get(slug, 0)),
        )
        for slug in course.lessons
    ]
    most_missed = rank_missed(course, figures.missed, language, MOST_MISSED)
    return CohortStats(
        cohort_id=cohort_id,
        name=name,
        course_id=course.id,
        enrolled=enrolled,
        active_7d=figures.active,
        completion_rate=share(figures.completed),
        average_score=figures.score_sum / figures.score_count if figures.score_count else None,
        lessons=lessons,
        most_missed=most_missed,
        asked=_asked(course, figures, language),
        reach=MessageReach(figures.messages, figures.delivered, figures.read, figures.unreachable),
    )


def rank_missed(
    course: Course,
    missed: Mapping[tuple[str, int], tuple[int, int]],
    language: str,
    limit: int | None = MOST_MISSED,
) -> list[MissedQuestion]:
    """The `limit` (None: all) questions of `missed` ((lesson, index) -> (wrong, answers)) with
    the highest share wrong, as defined in the module's docstring: at least MIN_ANSWERS answers,
    ties to more wrong answers, then course order; removed questions left out."""
    order = {slug: n for n, slug in enumerate(course.lessons)}
    candidates = []
    for (slug, index), (wrong, total) in missed.items():
        if total < MIN_ANSWERS or slug not in order:
            continue
        lesson = course.lesson(slug, language)
        if index >= len(lesson.quiz):
            continue  # the question was removed from the lesson since it was answered
        candidates.append((-wrong / total, -wrong, order[slug], index, lesson, wrong, total))
    candidates.sort(key=lambda c: c[:4])
    return [
        MissedQuestion(
            slug=lesson.slug,
            lesson_title=lesson.title,
            index=index,
            text=lesson.quiz[index].text,
            wrong=wrong,
            answers=total,
            share=wrong / total,
        )
        for _, _, _, index, lesson, wrong, total in candidates[:limit]
    ]


def _asked(course: Course, figures: Figures, language: str) -> AskedQuestions:
    """The questions' counts, with the most asked lessons' titles in `language`."""
    counted = [
        (-figures.asked[slug], n, slug)
        for n, slug in enumerate(course.lessons)
        if figures.asked.get(slug)
    ]
    topics = tuple(
        Topic(slug, course.lesson(slug, language).title, -negative)
        for negative, _, slug in sorted(counted)[:TOPICS]
    )
    return AskedQuestions(
        total=sum(figures.asked.values()),
        unanswered=figures.unanswered,
        waiting=figures.waiting,
        not_covered=figures.asked.get("", 0),
        topics=topics,
    )


def _course(courses: Mapping[str, Course], course_id: str) -> Course:
    course = courses.get(course_id)
    if course is None:
        raise UnknownCourse(f"course {course_id!r} is not in the content")
    return course


async def main_course(session: AsyncSession) -> str | None:
    """The course most cohort members follow (a tie goes to the first id in alphabetical order);
    None when there are no cohorts."""
    members = func.count(col(Membership.id))
    statement = (
        select(Cohort.course_id, members)
        .select_from(Cohort)
        .outerjoin(Membership, col(Membership.cohort_id) == Cohort.id)
        .group_by(Cohort.course_id)
        .order_by(members.desc(), Cohort.course_id)
        .limit(1)
    )
    row = (await session.exec(statement)).first()
    return row[0] if row is not None else None


async def cohort_stats(
    session: AsyncSession,
    courses: Mapping[str, Course],
    cohort_id: int | None,
    now: datetime,
    language: str = "en",
    course_id: str | None = None,
    *,
    unreachable_after: timedelta = UNREACHABLE_AFTER,
) -> CohortStats:
    """The figures of one cohort, or overall when `cohort_id` is None.

    A cohort is measured against its own course (`course_id` is ignored). Overall covers the
    trainees of every cohort following `course_id`; None picks `main_course`, or the first loaded
    course when there are no cohorts. Titles and question texts are in `language` (falling back
    to the course's first language). Raises UnknownCohort or UnknownCourse.
    """
    if cohort_id is not None:
        cohort = await session.get(Cohort, cohort_id)
        if cohort is None:
            raise UnknownCohort(f"no cohort has id {cohort_id}")
        course = _course(courses, cohort.course_id)
        members = _members(course.id, [cohort_id])
        groups = await _counted(session, course, members, [cohort_id], now, True, unreachable_after)
        figures = groups.get(cohort_id, Figures())
        return _assemble(course, cohort_id, cohort.name, figures, language)
    if course_id is None:
        course_id = await main_course(session) or next(iter(courses))
    course = _course(courses, course_id)
    members = _members(course.id, None)
    groups = await _counted(session, course, members, [OVERALL], now, False, unreachable_after)
    name = course.text_in(course.title, language)
    return _assemble(course, None, name, groups.get(OVERALL, Figures()), language)


async def all_cohort_stats(
    session: AsyncSession,
    courses: Mapping[str, Course],
    now: datetime,
    language: str = "en",
    *,
    unreachable_after: timedelta = UNREACHABLE_AFTER,
) -> list[CohortStats]:
    """The figures of every cohort, ordered by name (then id), in one set of queries per course.

    A cohort whose course is no longer in the content is left out (and logged), so one retired
    course does not hide every other cohort from the coordinator.
    """
    cohorts = list(await session.exec(select(Cohort).order_by(Cohort.name, col(Cohort.id))))
    by_course: dict[str, list[Cohort]] = {}
    for cohort in cohorts:
        by_course.setdefault(cohort.course_id, []).append(cohort)
    results: dict[int, CohortStats] = {}
    for course_id, members in by_course.items():
        if course_id not in courses:
            ids = [c.id for c in members]
            log.warning("cohorts %s follow course %r, not in the content: left out", ids, course_id)
            continue
        course = courses[course_id]
        cohort_ids = [c.id for c in members if c.id is not None]
        trainees = _members(course_id, cohort_ids)
        groups = await _counted(session, course, trainees, cohort_ids, now, True, unreachable_after)
        for cohort in members:
            assert cohort.id is not None
            figures = groups.get(cohort.id, Figures())
            results[cohort.id] = _assemble(course, cohort.id, cohort.name, figures, language)
    return [results[c.id] for c in cohorts if c.id in results]


async def trainee_rows(
    session: AsyncSession,
    course: Course,
    cohort_id: int | None,
    now: datetime | None = None,
    *,
    unreachable_after: timedelta = UNREACHABLE_AFTER,
) -> list[TraineeRow]:
    """One row per trainee of the cohort (or of every cohort following `course` when None),
    ordered by cohort name, then name; for spreadsheets and CSV files. Whether someone is
    unreachable is judged at `now` (default: this moment)."""
    whole = cohort_id is None
    scope = col(Cohort.course_id) == course.id if whole else col(Cohort.id) == cohort_id
    trainee = col(Person.role) == Role.trainee
    people = (
        select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
            Person.id, Person.display_name, Person.last_seen_at, Cohort.name, Membership.joined_at
        )
        .select_from(Membership)
        .join(Cohort, col(Cohort.id) == Membership.cohort_id)
        .join(Person, col(Person.id) == Membership.person_id)
        .where(scope, trainee)
        .order_by(Cohort.name, Person.display_name, col(Person.id))
    )
    found: dict[int, _Trainee] = {}
    for person_id, name, last_seen, cohort_name, joined in await session.exec(people):
        known = found.get(person_id)
        if known is None:
            found[person_id] = _Trainee(name or f"#{person_id}", [cohort_name], joined, last_seen)
        else:  # the same person in another cohort of this course (overall view only)
            known.cohorts.append(cohort_name)
            known.joined_at = min(known.joined_at, joined)

    in_scope = (
        select(Membership.person_id)
        .join(Cohort, col(Cohort.id) == Membership.cohort_id)
        .where(scope)
    )
    progress = select(
        LessonProgress.person_id,
        LessonProgress.lesson,
        LessonProgress.status,
        LessonProgress.best_score,
    ).where(LessonProgress.course_id == course.id, col(LessonProgress.person_id).in_(in_scope))
    position = {slug: n for n, slug in enumerate(course.lessons)}
    width = len(course.lessons)
    statuses: dict[int, list[str]] = {pid: [""] * width for pid in found}
    scores: dict[int, list[float | None]] = {pid: [None] * width for pid in found}
    for person_id, slug, status, best in await session.exec(progress):
        # Not a lecturer who also took the lessons, nor a lesson since removed from the course.
        if person_id in statuses and slug in position:
            statuses[person_id][position[slug]] = status
            scores[person_id][position[slug]] = best
    reach: dict[int, dict[str, Any]] = {}  # TraineeRow's receipt fields, for those with any
    scoped = in_scope.distinct().subquery("scoped")
    cutoff = (now or datetime.now(UTC)) - unreachable_after
    per_person = _receipts_per_person(scoped.c.person_id, scoped.c.person_id, scoped, cutoff)
    r = per_person.c
    figures = select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
        r.pid, r.messages, r.delivered, r.read, r.unreachable
    )
    for person_id, messages, delivered, read, unreachable in await session.exec(figures):
        reach[person_id] = {
            "messages": int(messages),
            "delivered": int(delivered),
            "read": int(read),
            "unreachable": bool(unreachable),
        }
    return [
        TraineeRow(
            person_id=pid,
            name=person.name,
            cohort=", ".join(person.cohorts),
            joined_at=person.joined_at,
            last_seen_at=person.last_seen_at,
            statuses=tuple(statuses[pid]),
            scores=tuple(scores[pid]),
            passed=statuses[pid].count(LessonStatus.passed),
            **reach.get(pid, {}),
        )
        for pid, person in found.items()
    ]
