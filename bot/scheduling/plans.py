"""Lesson plans: on a class's chosen weekdays and time, each occurrence unlocks the next lesson
and tells the class. The plan's `next_step` and the delivery rows are the record; a plan that
missed several occurrences (the bot was down) catches up at once and sends one message."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Cohort, DeliveryKind, LessonPlan, Membership, Person, PlanStatus
from bot.localtime import DAY, local_instant, parse_hhmm
from bot.scheduling import store
from bot.scheduling.services import SchedulerServices

log = logging.getLogger(__name__)
CURRENT = (
    PlanStatus.draft,
    PlanStatus.active,
    PlanStatus.paused,
)  # a class has at most one plan in these states


class PlanError(ValueError):
    """A plan that cannot run (no weekday, a time that is not HH:MM)."""


def weekday_list(text: str) -> list[int]:
    """ "0,2,4" -> [0, 2, 4] (Monday = 0); anything that is not a weekday number is ignored."""
    days = {int(part) for part in text.split(",") if part.strip().isdigit()}
    return sorted(day for day in days if 0 <= day <= 6)


def weekday_text(days: Iterable[int]) -> str:
    """[4, 0, 2] -> "0,2,4", as LessonPlan.weekdays stores them."""
    return ",".join(str(day) for day in sorted(set(days)))


def as_zone(tz: ZoneInfo | str) -> ZoneInfo:
    """A class's zone, given as a ZoneInfo or its name."""
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _plan_days(plan: LessonPlan) -> list[int]:
    days = weekday_list(plan.weekdays)
    if not days:
        raise PlanError("a lesson plan needs at least one weekday")
    return days


def _plan_time(plan: LessonPlan) -> time:
    at = parse_hhmm(plan.time)
    if at is None:
        raise PlanError(f"the time {plan.time!r} is not HH:MM")
    return at


def occurrence_date(plan: LessonPlan, step: int) -> date:
    """The local date of step `step` (from 0): the step-th date on or after the start date whose
    weekday is one of the plan's."""
    days = _plan_days(plan)
    first_week = [plan.start_date + n * DAY for n in range(7)]
    first_week = [d for d in first_week if d.weekday() in days]
    weeks, index = divmod(step, len(first_week))
    return first_week[index] + timedelta(weeks=weeks)


def occurrences(plan: LessonPlan, tz: ZoneInfo | str, start: int = 0) -> Iterator[datetime]:
    """The UTC instants of steps start, start + 1, ... (endless): each at the plan's local time
    on its date, in the class's timezone, DST-correct."""
    at, zone = _plan_time(plan), as_zone(tz)
    step = start
    while True:
        yield local_instant(occurrence_date(plan, step), at, zone)
        step += 1


def occurrence(plan: LessonPlan, tz: ZoneInfo | str, step: int) -> datetime:
    """The UTC instant of one step."""
    return next(occurrences(plan, tz, step))


def validate(plan: LessonPlan) -> None:
    """Raise PlanError when the plan could not run."""
    _plan_days(plan)
    _plan_time(plan)


def when_text(instant: datetime, tz: ZoneInfo | str, language: str) -> tuple[str, str]:
    """("Tuesday, December 1, 2026", "19:00") in the reader's language and timezone."""
    local = instant.astimezone(as_zone(tz))
    return format_date(local.date(), "full", locale=language), local.strftime("%H:%M")


# Queries


async def member_ids(session: AsyncSession, cohort_id: int) -> list[int]:
    """The class's members who have not blocked the bot: who gets its messages."""
    rows = await session.exec(
        select(Person.id)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.cohort_id == cohort_id, col(Person.blocked).is_(False))
        .order_by(col(Person.id))
    )
    return [person_id for person_id in rows if person_id is not None]


async def current_plan(session: AsyncSession, cohort_id: int) -> LessonPlan | None:
    """The class's latest plan that is not cancelled (a draft, a running, paused or done one)."""
    return (
        await session.exec(
            select(LessonPlan)
            .where(
                LessonPlan.cohort_id == cohort_id, col(LessonPlan.status) != PlanStatus.cancelled
            )
            .order_by(col(LessonPlan.id).desc())
            .limit(1)
        )
    ).first()


async def running_plan(session: AsyncSession, cohort_id: int | None) -> LessonPlan | None:
    """The class's latest running plan, if it has one."""
    return (
        await session.exec(
            select(LessonPlan)
            .where(LessonPlan.cohort_id == cohort_id, LessonPlan.status == PlanStatus.active)
            .order_by(col(LessonPlan.id).desc())
            .limit(1)
        )
    ).first()


async def opening_time(session: AsyncSession, cohort: Cohort, number: int) -> datetime | None:
    """When lesson `number` (from 1) opens under the class's running plan; None without one."""
    plan = await running_plan(session, cohort.id)
    if plan is None:
        return None
    return occurrence(plan, cohort.timezone, max(number - 1, plan.next_step))


def plan_ref(plan: LessonPlan) -> str:
    return f"plan:{plan.id}"


# The planner


async def plan_lessons(session: AsyncSession, services: SchedulerServices, now: datetime) -> None:
    """Planner: for every running plan, unlock the lessons whose time has come and announce the
    latest one to the class (one message however many occurrences were missed)."""
    plans = await session.exec(
        select(LessonPlan)
        .where(LessonPlan.status == PlanStatus.active)
        .order_by(col(LessonPlan.id))
    )
    for plan in list(plans):
        try:
            await advance(session, services, plan, now)
        except PlanError as error:  # a broken row must not stop the other classes
            log.warning("lesson plan %s cannot run: %s", plan.id, error)


async def advance(
    session: AsyncSession, services: SchedulerServices, plan: LessonPlan, now: datetime
) -> int:
    """Take one plan as far as `now`; returns how many steps it moved."""
    cohort = await session.get(Cohort, plan.cohort_id)
    course = services.courses.get(cohort.course_id) if cohort else None
    if cohort is None or course is None:
        log.warning("lesson plan %s: its class or course is gone", plan.id)
        return 0
    total, zone = len(course.lessons), ZoneInfo(cohort.timezone)
    step = plan.next_step
    if step < total:
        for instant in occurrences(plan, zone, step):
            if instant > now or step >= total:
                break
            step += 1
    moved = step - plan.next_step
    if moved == 0 and step < total:
        return 0
    plan.next_step = step
    if step >= total:
        plan.status, cohort.unlocked = (
            PlanStatus.done,
            None,
        )  # every lesson is open: nothing stays locked
    else:
        cohort.unlocked = step
    session.add(plan)
    session.add(cohort)
    if moved:
        ref = plan_ref(plan)
        await store.cancel(
            session, kind=DeliveryKind.lesson, ref=ref
        )  # an older step not sent yet: superseded
        await store.enqueue(
            session,
            await member_ids(session, plan.cohort_id),
            kind=DeliveryKind.lesson,
            ref=ref,
            occurrence=str(step - 1),
            due_at=services.settings.quiet.end_after(now, zone),
        )
    return moved


# Changing a plan's state


async def new_draft(
    session: AsyncSession, cohort: Cohort, author_id: int | None, today: date
) -> LessonPlan:
    """The class's draft plan (a new one from tomorrow, Mon/Wed/Fri at 19:00 if none)."""
    plan = await current_plan(session, cohort.id or 0)
    if plan is not None and plan.status == PlanStatus.draft:
        return plan
    plan = LessonPlan(
        cohort_id=cohort.id or 0,
        start_date=today + DAY,
        weekdays="0,2,4",
        time="19:00",
        status=PlanStatus.draft,
        created_by=author_id,
    )
    session.add(plan)
    await session.flush()
    return plan


async def start_plan(session: AsyncSession, plan: LessonPlan, cohort: Cohort) -> LessonPlan:
    """Run the plan (raises PlanError if it cannot): any other current plan of the class is
    cancelled, and the class's lessons lock from the plan's next step on."""
    validate(plan)
    session.add(plan)
    await session.flush()
    others = await session.exec(
        select(LessonPlan).where(
            LessonPlan.cohort_id == plan.cohort_id,
            col(LessonPlan.id) != plan.id,
            col(LessonPlan.status).in_(CURRENT),
        )
    )
    for other in list(others):
        other.status = PlanStatus.cancelled
        session.add(other)
        await store.cancel(session, kind=DeliveryKind.lesson, ref=plan_ref(other))
    plan.status = PlanStatus.active
    cohort.unlocked = plan.next_step
    session.add(cohort)
    return plan


def pause_plan(plan: LessonPlan) -> bool:
    """Stop unlocking (what is open stays open); False if the plan was not running."""
    if plan.status != PlanStatus.active:
        return False
    plan.status = PlanStatus.paused
    return True


def resume_plan(plan: LessonPlan, tz: ZoneInfo | str, now: datetime) -> bool:
    """Run a paused plan again. Occurrences that passed during the pause are skipped, not caught
    up: the next lesson opens at the next plan time (the start date moves to keep the count)."""
    if plan.status != PlanStatus.paused:
        return False
    if occurrence(plan, tz, plan.next_step) <= now:
        plan.start_date = rebased_start(plan, tz, now)
    plan.status = PlanStatus.active
    return True


def rebased_start(plan: LessonPlan, tz: ZoneInfo | str, now: datetime) -> date:
    """The start date that puts step `next_step` at the first plan time after `now`."""
    days, at, zone = _plan_days(plan), _plan_time(plan), as_zone(tz)
    day = now.astimezone(zone).date()
    while day.weekday() not in days or local_instant(day, at, zone) <= now:
        day += DAY
    for _ in range(plan.next_step):
        day -= DAY
        while day.weekday() not in days:
            day -= DAY
    return day


async def launch(
    session: AsyncSession,
    services: SchedulerServices,
    plan: LessonPlan,
    cohort: Cohort,
    now: datetime,
) -> int:
    """Start a draft as the class's plan (raises PlanError if it cannot) and open at once the
    lessons whose time already passed (saved at 19:58 for 08:00 today); how many opened."""
    await start_plan(session, plan, cohort)
    return await advance(session, services, plan, now)


def reschedule(
    plan: LessonPlan, tz: ZoneInfo | str, start: date, weekdays: Iterable[int], at: str
) -> None:
    """New days and time for a plan (raises PlanError if it could not run): a draft starts on
    `start`; a running or paused plan keeps the lessons already open and opens the next one on
    the first chosen weekday on or after `start`."""
    plan.weekdays, plan.time = weekday_text(weekdays), at
    validate(plan)
    if plan.status == PlanStatus.draft or plan.next_step == 0:
        plan.start_date = start
        return
    zone = as_zone(tz)
    midnight = datetime.combine(start, time(0, 0), tzinfo=zone).astimezone(UTC)
    plan.start_date = rebased_start(plan, zone, midnight - timedelta(seconds=1))


async def cancel_plan(session: AsyncSession, plan: LessonPlan, cohort: Cohort) -> None:
    """End the plan: its unsent lesson messages are called off and every lesson opens."""
    plan.status = PlanStatus.cancelled
    session.add(plan)
    await store.cancel(session, kind=DeliveryKind.lesson, ref=plan_ref(plan))
    cohort.unlocked = None
    session.add(cohort)
