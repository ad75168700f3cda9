"""Daily reminders on a real SQLite database with an injected clock: local times across daylight
saving changes, one a day at most, study and quiet hours, nudges, and /reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.core.messages import Incoming
from bot.db.models import Delivery, Person
from bot.handlers import reminders as reminders_handler
from bot.i18n import Translator
from bot.lessons.progress import record_activity
from bot.localtime import QuietHours
from bot.runtime import Runtime
from bot.scheduling.reminders import next_reminder_at, plan_reminders, reminder_reply
from tests.conftest import Trainee

en = Translator("en")
QUIET = QuietHours.parse("21:00-08:00")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone)).astimezone(UTC)


async def add_person(runtime: Runtime, zone: str, created: datetime, at: str | None = "19:00"):
    async with runtime.sessions() as session:
        person = Person(
            channel="test",
            channel_user_id=f"{zone}-{created.timestamp()}",
            display_name="Ana",
            timezone=zone,
            reminder_time=at,
            created_at=created,
        )
        session.add(person)
        await session.commit()
        return person


async def plan(runtime: Runtime, now: datetime) -> None:
    async with runtime.sessions() as session:
        await plan_reminders(session, runtime.academy.services, now)
        await session.commit()


async def study(runtime: Runtime, person: Person, now: datetime) -> None:
    async with runtime.sessions() as session:
        await record_activity(session, person, now)
        await session.commit()


async def reminders(runtime: Runtime, person: Person) -> list[Delivery]:
    async with runtime.sessions() as session:
        rows = await session.exec(select(Delivery).where(Delivery.person_id == person.id))
        return sorted(rows, key=lambda d: d.due_at)


async def stored(runtime: Runtime, person: Person) -> Person:
    async with runtime.sessions() as session:
        found = await session.get(Person, person.id)
        assert found is not None
        return found


async def reply_at(runtime: Runtime, delivery: Delivery, now: datetime):
    async with runtime.sessions() as session:
        person = await session.get(Person, delivery.person_id)
        return await reminder_reply(session, runtime.academy.services, delivery, person, now)


def test_next_reminder_at_in_gaps_and_overlaps() -> None:
    madrid = Person(
        channel="t", channel_user_id="1", timezone="Europe/Madrid", reminder_time="02:30"
    )
    off = QuietHours.parse("")
    # 02:30 does not exist on 29 March: the first minute after the jump is 03:00 CEST.
    assert next_reminder_at(madrid, utc(2026, 3, 28, 12), off) == utc(2026, 3, 29, 1)
    assert next_reminder_at(madrid, utc(2026, 3, 29, 1), off) == utc(2026, 3, 30, 0, 30)
    # 02:30 happens twice on 25 October: the first one (still CEST).
    assert next_reminder_at(madrid, utc(2026, 10, 24, 12), off) == utc(2026, 10, 25, 0, 30)
    tijuana = Person(channel="t", channel_user_id="2", timezone="America/Tijuana")
    tijuana.reminder_time = "02:30"
    assert next_reminder_at(tijuana, utc(2026, 3, 8), off) == utc(2026, 3, 8, 10)  # 03:00 PDT
    # In quiet hours 02:30 is never used: the default time instead.
    assert next_reminder_at(madrid, utc(2026, 3, 28, 12), QUIET) == utc(2026, 3, 28, 18)
    madrid.reminder_time = None
    assert next_reminder_at(madrid, utc(2026, 3, 28, 12), QUIET) is None
    assert [QUIET.contains(time(*hm)) for hm in ((20, 59), (21, 0), (7, 59), (8, 0))] == [
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("zone", "first_day", "expected"),
    [  # (month, day, hour) in UTC of 19:00 local on four days in a row
        ("Asia/Shanghai", date(2026, 3, 27), [(3, 27, 11), (3, 28, 11), (3, 29, 11), (3, 30, 11)]),
        # Mexico City has had no daylight saving since 2022 (it used to start on 5 April).
        ("America/Mexico_City", date(2026, 4, 3), [(4, 4, 1), (4, 5, 1), (4, 6, 1), (4, 7, 1)]),
        # Spring forward on 29 March (CET → CEST), fall back on 25 October.
        ("Europe/Madrid", date(2026, 3, 27), [(3, 27, 18), (3, 28, 18), (3, 29, 17), (3, 30, 17)]),
        (
            "Europe/Madrid",
            date(2026, 10, 23),
            [(10, 23, 17), (10, 24, 17), (10, 25, 18), (10, 26, 18)],
        ),
        # Spring forward on 8 March (PST → PDT), fall back on 1 November.
        ("America/Tijuana", date(2026, 3, 6), [(3, 7, 3), (3, 8, 3), (3, 9, 2), (3, 10, 2)]),
        ("America/Tijuana", date(2026, 10, 30), [(10, 31, 2), (11, 1, 2), (11, 2, 3), (11, 3, 3)]),
    ],
)
async def test_one_reminder_a_day_at_seven_in_the_evening_local_time(
    runtime: Runtime, zone: str, first_day: date, expected: list[tuple[int, int, int]]
) -> None:
    created = local(zone, first_day, 9)
    person = await add_person(runtime, zone, created)
    now = created
    while now < created + timedelta(days=4):  # every half hour, studying at 19:30 each day
        await plan(runtime, now)
        if now.astimezone(ZoneInfo(zone)).time() == time(19, 30):
            await study(runtime, person, now)
        now += timedelta(minutes=30)
    rows = await reminders(runtime, person)
    assert [row.due_at for row in rows] == [utc(2026, *mdh) for mdh in expected]
    days = [(first_day + timedelta(days=n)).isoformat() for n in range(4)]
    assert [row.occurrence for row in rows] == days
    assert {(row.kind, row.ref, row.status) for row in rows} == {("reminder", "", "pending")}


async def test_a_time_the_clocks_skip_is_sent_once_after_the_jump(runtime: Runtime) -> None:
    runtime.academy.services.settings.quiet_hours = ""  # no quiet hours, so 02:30 is allowed
    zone = "Europe/Madrid"
    person = await add_person(runtime, zone, utc(2026, 3, 27, 12), at="02:30")
    now = utc(2026, 3, 27, 12)
    while now < utc(2026, 3, 30, 12):
        await plan(runtime, now)
        now += timedelta(minutes=10)
    rows = await reminders(runtime, person)
    assert [(row.occurrence, row.due_at) for row in rows] == [
        ("2026-03-28", utc(2026, 3, 28, 1, 30)),  # 02:30 CET
        ("2026-03-29", utc(2026, 3, 29, 1)),  # 03:00 CEST: the first minute after the gap
        ("2026-03-30", utc(2026, 3, 30, 0, 30)),  # 02:30 CEST
    ]


async def test_a_stored_time_in_quiet_hours_becomes_the_default(runtime: Runtime) -> None:
    person = await add_person(runtime, "Asia/Shanghai", utc(2026, 6, 1, 1), at="22:30")
    for minutes in range(0, 24 * 60, 15):
        await plan(runtime, utc(2026, 6, 1, 1) + timedelta(minutes=minutes))
    (row,) = await reminders(runtime, person)
    assert row.due_at == utc(2026, 6, 1, 11)  # 19:00 in Shanghai


async def test_no_reminder_on_a_day_they_studied(runtime: Runtime) -> None:
    zone, day = "Asia/Shanghai", date(2026, 6, 1)
    person = await add_person(runtime, zone, local(zone, day, 9))
    await plan(runtime, local(zone, day, 9))
    await study(runtime, person, local(zone, day, 15))  # at planning time: nothing today
    await plan(runtime, local(zone, day, 19))
    assert await reminders(runtime, person) == []
    assert (await stored(runtime, person)).next_reminder_at == local(zone, day + timedelta(1), 19)
    await plan(runtime, local(zone, day + timedelta(1), 19))  # the next day it comes
    (row,) = await reminders(runtime, person)
    assert (await reply_at(runtime, row, local(zone, day + timedelta(1), 19))) is not None
    # Studied between planning and sending: the reminder is skipped when its turn comes.
    await study(runtime, person, local(zone, day + timedelta(1), 19, 1))
    assert (await reply_at(runtime, row, local(zone, day + timedelta(1), 19, 2))) is None


async def test_at_most_one_a_day_however_often_the_planner_runs(runtime: Runtime) -> None:
    zone, day = "America/Mexico_City", date(2026, 6, 1)
    person = await add_person(runtime, zone, local(zone, day, 9))
    await plan(runtime, local(zone, day, 9))
    for minute in range(0, 120, 3):  # 19:00 to 20:57, with the stored schedule lost now and then
        now = local(zone, day, 19, 0) + timedelta(minutes=minute)
        await plan(runtime, now)
        await plan(runtime, now)
        if minute % 30 == 0:
            async with runtime.sessions() as session:
                found = await session.get(Person, person.id)
                found.next_reminder_at = local(zone, day, 8)  # as if the planner had been away
                found.reminder_time = "20:00" if minute == 30 else found.reminder_time
                session.add(found)
                await session.commit()
    (row,) = await reminders(runtime, person)
    assert (row.occurrence, row.due_at) == ("2026-06-01", local(zone, day, 19))
    await plan(runtime, local(zone, day + timedelta(1), 20, 5))
    assert [r.due_at for r in await reminders(runtime, person)][1:] == [
        local(zone, day + timedelta(1), 20)
    ]


async def test_quiet_hours_and_late_planning(runtime: Runtime) -> None:
    zone, day = "Asia/Shanghai", date(2026, 6, 1)
    person = await add_person(runtime, zone, local(zone, day, 9), at="20:00")
    await plan(runtime, local(zone, day, 9))
    await plan(runtime, local(zone, day, 20))
    (row,) = await reminders(runtime, person)
    reply = await reply_at(runtime, row, local(zone, day, 20, 30))
    assert reply is not None
    assert reply.text == en("reminder.daily", name="Ana")
    assert [(b.label, b.payload) for r in reply.buttons for b in r] == [
        (en("menu.lesson"), "les:go")
    ]
    assert await reply_at(runtime, row, local(zone, day, 21)) is None  # sent too late: quiet
    assert await reply_at(runtime, row, local(zone, day + timedelta(1), 9)) is None  # day over
    # A planner that only wakes in the quiet hours plans nothing for the evening it missed.
    await plan(runtime, local(zone, day + timedelta(1), 21, 30))
    assert len(await reminders(runtime, person)) == 1
    assert (await stored(runtime, person)).next_reminder_at == local(zone, day + timedelta(2), 20)


async def test_nudges_after_three_days_without_study(runtime: Runtime) -> None:
    zone, start = "America/Mexico_City", date(2026, 1, 5)
    person = await add_person(runtime, zone, local(zone, start, 10))
    await plan(runtime, local(zone, start, 10))
    texts: dict[int, str] = {}
    for n in range(41):
        day = start + timedelta(days=n)
        if n == 35:
            await study(runtime, person, local(zone, day, 12))
        before = len(await reminders(runtime, person))
        await plan(runtime, local(zone, day, 19, 5))
        rows = await reminders(runtime, person)
        if len(rows) > before:
            reply = await reply_at(runtime, rows[-1], local(zone, day, 19, 6))
            texts[n] = reply.text if reply else ""
    daily, nudge = en("reminder.daily", name="Ana"), en("reminder.nudge", name="Ana")
    assert texts == {
        0: daily,
        1: daily,
        2: daily,
        3: nudge,
        7: nudge,
        14: nudge,
        30: nudge,
        36: daily,  # studied on day 35: daily reminders again
        37: daily,
        38: nudge,
    }


@pytest.fixture
def ana(runtime: Runtime, trainee_factory) -> Trainee:
    if "reminders" not in runtime.academy.router.commands:
        runtime.academy.router.include(reminders_handler.router)
    return trainee_factory("1", "Ana", "en")


def labels(trainee: Trainee) -> list[str]:
    return [b.label for reply in trainee.last for row in reply.buttons for b in row]


async def test_reminders_command_changes_the_time_and_turns_them_off(
    runtime: Runtime, ana: Trainee
) -> None:
    day = date(2026, 6, 1)
    clock_now = [local("Asia/Shanghai", day, 10)]
    runtime.academy.services.clock = lambda: clock_now[0]
    await ana.send("/reminders")
    assert ana.texts == [en("reminders.current", time="19:00")]
    off = en("reminders.off_button")
    zone = en("reminders.zone_button", zone=en("zone.asia.shanghai"))  # the zone, by its name
    assert labels(ana) == ["08:00", "12:00", "17:00", "18:00", "✓ 19:00", "20:00", off, zone]
    await ana.press("20:00")
    assert ana.texts == [en("reminders.set", time="20:00")] and ana.last[0].edit
    async with runtime.sessions() as session:
        person = (await session.exec(select(Person).where(Person.channel_user_id == "1"))).one()
    assert person.reminder_time == "20:00"
    assert person.next_reminder_at == local("Asia/Shanghai", day, 20)
    await plan(runtime, local("Asia/Shanghai", day, 20))
    (row,) = await reminders(runtime, person)
    assert row.due_at == local("Asia/Shanghai", day, 20)

    clock_now[0] = local("Asia/Shanghai", day, 20) + timedelta(seconds=30)
    await ana.send("/reminders")
    assert "✓ 20:00" in labels(ana)
    await ana.press(off)
    assert ana.texts == [en("reminders.turned_off")]
    person = await stored(runtime, person)
    assert (person.reminder_time, person.next_reminder_at) == (None, None)
    assert await reply_at(runtime, row, local("Asia/Shanghai", day, 20, 1)) is None
    for hours in range(0, 72, 1):
        await plan(runtime, local("Asia/Shanghai", day, 20) + timedelta(hours=hours))
    assert len(await reminders(runtime, person)) == 1

    await ana.send("/reminders")
    assert ana.texts == [en("reminders.off_now")] and f"✓ {off}" in labels(ana)
    await ana._handle(Incoming.button(ana.sender, "rem:22:00"))  # forged: a quiet time
    assert ana.texts == [en("error.stale_button")]
    await ana.send("/reminders")
    await ana.press("08:00")
    person = await stored(runtime, person)
    assert person.reminder_time == "08:00"
    assert person.next_reminder_at == local("Asia/Shanghai", day + timedelta(1), 8)
