"""Limits on wrong codes, for class codes and role invites alike: per person, across all
accounts, across workers; every attempt logged and kept a day."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.db.models import Cohort, JoinAttempt
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.handlers.test_join import clock_of, invite_from, open_school, person, role_of, school

__all__ = ["school"]  # the fixture, shared with the invite tests

en = Translator("en")
WRONG = "2345-6789"  # a well-formed code nobody was given (codes are random, collisions ~1e-12)


def locked_until(minutes_from_now: int, runtime: Runtime) -> str:
    until = clock_of(runtime).now + timedelta(minutes=minutes_from_now)
    return en("join.locked", time=f"{until:%H:%M}")


async def a_class(runtime: Runtime) -> Cohort:
    boss = person(runtime, "boss")
    await boss.send("/newcohort Peaches")
    async with runtime.sessions() as session:
        return (await session.exec(select(Cohort))).one()


async def test_five_wrong_codes_lock_a_person_out_for_fifteen_minutes(school: Runtime) -> None:
    cohort = await a_class(school)
    ana, ben = person(school, "ana"), person(school, "ben")
    for _ in range(5):
        assert (await ana.send(f"/join {WRONG}"))[0].text == en("join.bad_code")
        clock_of(school).now += timedelta(minutes=1)
    # locked: even the right code does not get in, and the message says until when
    expected = en("join.locked", time="09:19")  # the 5th failure at 09:04, + 15 minutes
    assert [r.text for r in await ana.send(f"/join {cohort.invite_code}")] == [expected]
    assert [r.text for r in (await ana.send(f"/start {cohort.invite_code}"))[1:2]] == [expected]
    # someone else is not affected
    assert (await ben.send(f"/join {cohort.invite_code}"))[0].text.startswith("✅")
    clock_of(school).now = datetime(2026, 5, 4, 9, 19, tzinfo=UTC)
    assert (await ana.send(f"/join {cohort.invite_code}"))[0].text.startswith("✅")


async def test_failures_spread_out_do_not_lock(school: Runtime) -> None:
    cohort = await a_class(school)
    ana = person(school, "ana")
    for _ in range(8):
        assert (await ana.send(f"/join {WRONG}"))[0].text == en("join.bad_code")
        clock_of(school).now += timedelta(minutes=4)  # 4 failures in any 15 minutes
    assert (await ana.send(f"/join {cohort.invite_code}"))[0].text.startswith("✅")


async def test_a_role_invite_code_is_limited_too(school: Runtime) -> None:
    code = await invite_from(person(school, "boss"))
    ana = person(school, "ana")
    for _ in range(5):
        await ana.send(f"/join {WRONG}")
    assert [r.text for r in await ana.send(f"/join {code}")] == [locked_until(15, school)]
    assert await role_of(school, "ana") == "trainee"


async def test_a_closed_class_counts_as_a_failure(school: Runtime) -> None:
    cohort = await a_class(school)
    async with school.sessions() as session:
        stored = await session.get(Cohort, cohort.id)
        assert stored is not None
        stored.invite_open = False
        session.add(stored)
        await session.commit()
    ana = person(school, "ana")
    for _ in range(5):
        assert (await ana.send(f"/join {cohort.invite_code}"))[0].text == en("join.closed")
    assert [r.text for r in await ana.send(f"/join {cohort.invite_code}")] == [
        locked_until(15, school)
    ]


async def test_the_counters_are_shared_by_workers(database_url: str) -> None:
    first = await open_school(database_url)
    second = await open_school(database_url)
    try:
        for n in range(5):
            runtime = first if n % 2 else second
            await person(runtime, "ana").send(f"/join {WRONG}")
        for runtime in (first, second):
            replies = await person(runtime, "ana").send(f"/join {WRONG}")
            assert [r.text for r in replies] == [locked_until(15, runtime)]
    finally:
        await first.close()
        await second.close()


async def test_many_failing_accounts_slow_everyone_who_failed_but_not_first_tries(
    database_url: str,
) -> None:
    runtime = await open_school(database_url, join_global_max_failures=10, join_slow_minutes=5)
    try:
        cohort = await a_class(runtime)
        for n in range(10):  # a sybil attack: ten accounts, one guess each
            assert (await person(runtime, f"bot{n}").send(f"/join {WRONG}"))[0].text == en(
                "join.bad_code"
            )
        clock_of(runtime).now += timedelta(minutes=1)
        slowed = en("join.locked", time="09:05")  # their failure at 09:00, + 5 minutes
        assert [r.text for r in await person(runtime, "bot3").send(f"/join {WRONG}")] == [slowed]
        retry = await person(runtime, "bot4").send(f"/join {cohort.invite_code}")
        assert [r.text for r in retry] == [slowed]
        # a first try that is right always gets in; a first wrong try is answered as usual
        assert (await person(runtime, "ana").send(f"/join {cohort.invite_code}"))[
            0
        ].text.startswith("✅")
        assert (await person(runtime, "ben").send(f"/join {WRONG}"))[0].text == en("join.bad_code")
        clock_of(runtime).now += timedelta(minutes=4)  # 09:05
        retry = await person(runtime, "bot4").send(f"/join {cohort.invite_code}")
        assert retry[0].text.startswith("✅")
    finally:
        await runtime.close()


async def test_every_attempt_is_logged_without_the_code(
    school: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    cohort = await a_class(school)
    ana = person(school, "ana")
    caplog.set_level(logging.INFO, logger="bot.handlers.join")
    await ana.send(f"/join {WRONG}")
    await ana.send(f"/join {cohort.invite_code}")
    for _ in range(5):
        await ana.send(f"/join {WRONG}")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.handlers.join"]
    outcomes = [line.split("outcome=")[1].split()[0] for line in lines]
    assert outcomes == ["failed", "ok", "failed", "failed", "failed", "failed", "locked"]
    assert all("test:ana" in line for line in lines)
    assert not any(WRONG in line or cohort.invite_code in line for line in lines)


async def test_old_attempts_are_pruned(school: Runtime) -> None:
    ana = person(school, "ana")
    await ana.send(f"/join {WRONG}")
    clock_of(school).now += timedelta(days=2)
    await ana.send(f"/join {WRONG}")
    async with school.sessions() as session:
        kept = list(await session.exec(select(JoinAttempt)))
    assert [a.at for a in kept] == [clock_of(school).now]
