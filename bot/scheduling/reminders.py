"""Trainee reminders: one a day at the person's chosen local time, skipped when they already
studied that day, never in quiet hours; after 3 days without study only a few gentle nudges."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Button, Detail, Purpose, Reply, Topic
from bot.core.payloads import OpenLesson
from bot.db.models import ActivityDay, Delivery, DeliveryKind, Person
from bot.i18n import Translator
from bot.localtime import QuietHours, local_day, local_instant, parse_hhmm, zone_of
from bot.scheduling import store
from bot.scheduling.services import SchedulerServices

BATCH = 500
# Days without study on which a nudge goes out once the daily reminders have stopped (day 3).
NUDGE_DAYS = frozenset({3, 7, 14, 30})
DAILY_UNTIL = 3  # fewer inactive days than this: the normal daily reminder


def reminder_clock(person: Person, quiet: QuietHours, default: str = "19:00") -> time | None:
    """The local time of the person's daily reminder; None when reminders are off. A stored time
    that is unreadable or inside quiet hours counts as the default (and that as the end of the
    quiet hours if it is quiet too)."""
    if person.reminder_time is None:
        return None
    for candidate in (person.reminder_time, default):
        at = parse_hhmm(candidate)
        if at is not None and not quiet.contains(at):
            return at
    return quiet.end


def next_reminder_at(
    person: Person, after: datetime, quiet: QuietHours, *, default_time: str = "19:00"
) -> datetime | None:
    """The next UTC instant after `after` when the person's local clock shows their reminder
    time; None if reminders are off."""
    at = reminder_clock(person, quiet, default_time)
    if at is None:
        return None
    zone = zone_of(person)
    day = after.astimezone(zone).date() - timedelta(days=1)
    while True:
        instant = local_instant(day, at, zone)
        if instant > after:
            return instant
        day += timedelta(days=1)


def choose_zone(
    person: Person, zone: str, now: datetime, quiet: QuietHours, *, default_time: str = "19:00"
) -> None:
    """The person's own zone from now on (their class's zone no longer moves them), and their
    next reminder re-planned in it."""
    person.timezone, person.timezone_chosen = zone, True
    person.next_reminder_at = next_reminder_at(person, now, quiet, default_time=default_time)


async def last_study_days(session: AsyncSession, ids: Sequence[int]) -> dict[int, date]:
    """The latest local day each of these people studied (people who never did are absent)."""
    rows = await session.exec(
        select(ActivityDay.person_id, func.max(ActivityDay.day))
        .where(col(ActivityDay.person_id).in_(ids))
        .group_by(col(ActivityDay.person_id))
    )
    return {person_id: day for person_id, day in rows if day is not None}


def inactive_days(person: Person, last: date | None, today: date) -> int:
    """Whole local days since the person last studied (since they arrived if they never did)."""
    since = last if last is not None else local_day(person, person.created_at)
    return (today - since).days


def wanted(person: Person, last: date | None, today: date) -> bool:
    """Whether a reminder goes out on local day `today`: not if they studied already, daily for
    fewer than 3 inactive days, then only on inactive days 3, 7, 14 and 30."""
    if last is not None and last >= today:
        return False
    days = inactive_days(person, last, today)
    return days < DAILY_UNTIL or days in NUDGE_DAYS


async def plan_reminders(session: AsyncSession, services: SchedulerServices, now: datetime) -> None:
    """Planner: a "reminder" delivery for everyone whose reminder time has come, one per local
    day at most (the local date is the occurrence), and their next reminder time."""
    settings = services.settings
    quiet = settings.quiet
    after_id = 0
    while True:
        people = list(
            await session.exec(
                select(Person)
                .where(
                    col(Person.reminder_time).is_not(None),
                    col(Person.blocked).is_(False),
                    or_(
                        col(Person.next_reminder_at).is_(None), col(Person.next_reminder_at) <= now
                    ),
                    col(Person.id) > after_id,
                )
                .order_by(col(Person.id))
                .limit(BATCH)
            )
        )
        if not people:
            return
        after_id = people[-1].id or after_id
        last = await last_study_days(session, [p.id for p in people if p.id is not None])
        for person in people:
            await _plan_one(
                session, person, last.get(person.id or 0), now, quiet, settings.reminder_time
            )
        await session.commit()
        if len(people) < BATCH:
            return


async def _plan_one(
    session: AsyncSession,
    person: Person,
    last: date | None,
    now: datetime,
    quiet: QuietHours,
    default: str,
) -> None:
    stored = person.next_reminder_at
    person.next_reminder_at = next_reminder_at(person, now, quiet, default_time=default)
    session.add(person)
    if stored is None or person.id is None:
        return  # first time: only start the schedule
    # The latest reminder time that has come (several may have, if the planner was away): it
    # goes out only on its own local day and outside quiet hours, else it is simply missed.
    slot = next_reminder_at(person, now - timedelta(days=2), quiet, default_time=default)
    latest = None
    while slot is not None and slot <= now:
        latest, slot = slot, next_reminder_at(person, slot, quiet, default_time=default)
    if latest is None or latest < stored:
        return  # the schedule changed under it (a new timezone): start from the next one
    today, local_now = local_day(person, latest), now.astimezone(zone_of(person))
    if local_now.date() != today or quiet.contains(local_now.time()):
        return
    if wanted(person, last, today):
        await store.enqueue(
            session,
            [person.id],
            kind=DeliveryKind.reminder,
            due_at=latest,
            occurrence=today.isoformat(),
        )


async def reminder_reply(
    session: AsyncSession,
    services: SchedulerServices,
    delivery: Delivery,
    person: Person,
    now: datetime,
) -> Reply | None:
    """The message of a reminder delivery, decided when it is sent: None (skip it) when reminders
    are off now, the person studied that day, its day is over, or it is quiet hours there now."""
    quiet = services.settings.quiet
    if person.reminder_time is None:
        return None
    local_now = now.astimezone(zone_of(person))
    try:
        day = date.fromisoformat(delivery.occurrence)
    except ValueError:
        day = local_now.date()
    if local_now.date() != day or quiet.contains(local_now.time()):
        return None
    last = (await last_study_days(session, [person.id or 0])).get(person.id or 0)
    if last is not None and last >= day:
        return None
    t = Translator(person.language)
    daily = inactive_days(person, last, day) < DAILY_UNTIL
    key, purpose = (
        ("reminder.daily", Purpose.reminder) if daily else ("reminder.nudge", Purpose.nudge)
    )
    name = person.display_name or t("start.friend")
    opens = OpenLesson().pack()
    lesson = ((Button(t("menu.lesson"), opens),),)
    topic = Topic(((Detail.name, name),), opens=opens)
    return Reply(t(key, name=name), buttons=lesson, purpose=purpose, topic=topic)
