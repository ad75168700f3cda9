"""Opening codes: role invites that expire and die with their maker's role, and the limits on
wrong codes (per person, across all accounts, across workers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.cohorts.privacy import forget
from bot.db.models import Person, Role
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import FixedClock, Trainee, make_settings, migrated_runtime

en = Translator("en")
WRONG = "2345-6789"  # a well-formed code nobody was given (codes are random, collisions ~1e-12)


async def open_school(database_url: str, **overrides: object) -> Runtime:
    values: dict[str, object] = {"admin_ids": "test:boss", "default_timezone": "UTC"}
    settings = make_settings(database_url, **(values | overrides))
    runtime = await migrated_runtime(settings)
    runtime.academy.services.clock = FixedClock()
    return runtime


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await open_school(database_url)
    try:
        yield runtime
    finally:
        await runtime.close()


def clock_of(runtime: Runtime) -> FixedClock:
    clock = runtime.academy.services.clock
    assert isinstance(clock, FixedClock)
    return clock


def person(runtime: Runtime, user_id: str, name: str | None = None) -> Trainee:
    return Trainee(runtime, user_id, name or user_id.title(), "en")


async def invite_from(maker: Trainee, command: str = "/invite_lecturer") -> str:
    (reply,) = await maker.send(command)
    return reply.text.rsplit(" ", 1)[-1]


async def role_of(runtime: Runtime, user_id: str) -> str:
    async with runtime.sessions() as session:
        query = select(Person.role).where(Person.channel_user_id == user_id)
        return (await session.exec(query)).one()


async def set_role(runtime: Runtime, user_id: str, role: Role) -> None:
    async with runtime.sessions() as session:
        found = (await session.exec(select(Person).where(Person.channel_user_id == user_id))).one()
        found.role = role.value
        session.add(found)
        await session.commit()


GRANTED_LECTURER = en("role.granted", role=en("role.lecturer"))


async def test_an_invite_works_for_seven_days_then_says_it_expired(school: Runtime) -> None:
    boss = person(school, "boss")
    old = await invite_from(boss)
    clock_of(school).now += timedelta(days=6)
    fresh = await invite_from(boss)
    clock_of(school).now += timedelta(days=1, minutes=1)  # old: 7 days and a minute
    ana, ben = person(school, "ana"), person(school, "ben")
    assert en("role.expired") in [r.text for r in await ana.send(f"/join {old}")]
    assert await role_of(school, "ana") == "trainee"
    assert GRANTED_LECTURER in [r.text for r in await ben.send(f"/join {fresh}")]
    # expired and used say different things
    assert en("role.used") in [r.text for r in await ana.send(f"/join {fresh}")]
    assert en("role.expired") != en("role.used")


async def test_one_dated_two_years_ago_is_dead(school: Runtime) -> None:
    code = await invite_from(person(school, "boss"))
    clock_of(school).now += timedelta(days=730)
    ana = person(school, "ana")
    assert en("role.expired") in [r.text for r in await ana.send(f"/start {code}")]
    assert await role_of(school, "ana") == "trainee"


async def test_the_ttl_is_a_setting(database_url: str) -> None:
    runtime = await open_school(database_url, role_invite_ttl_days=1)
    try:
        code = await invite_from(person(runtime, "boss"))
        clock_of(runtime).now += timedelta(days=1, seconds=1)
        ana = person(runtime, "ana")
        assert en("role.expired") in [r.text for r in await ana.send(f"/join {code}")]
    finally:
        await runtime.close()


async def test_an_invite_dies_with_its_makers_role(school: Runtime) -> None:
    boss = person(school, "boss")
    coordinator = person(school, "coord")
    await coordinator.send(f"/join {await invite_from(boss, '/invite_coordinator')}")
    assert await role_of(school, "coord") == "coordinator"
    by_coordinator = await invite_from(coordinator)
    await set_role(school, "coord", Role.lecturer)  # demoted: may no longer make lecturers
    ana = person(school, "ana")
    assert en("role.expired") in [r.text for r in await ana.send(f"/join {by_coordinator}")]
    assert await role_of(school, "ana") == "trainee"
    # promoted again, the same invite works again: it was never used
    await set_role(school, "coord", Role.coordinator)
    assert GRANTED_LECTURER in [r.text for r in await ana.send(f"/join {by_coordinator}")]


async def test_a_coordinator_invite_needs_an_admin_maker(database_url: str) -> None:
    school = await open_school(database_url)
    try:
        boss = person(school, "boss")
        for_coordinator = await invite_from(boss, "/invite_coordinator")
        for_lecturer = await invite_from(boss)
    finally:
        await school.close()
    # restarted without the boss in ADMIN_IDS, then made a coordinator from the shell
    school = await open_school(database_url, admin_ids="")
    try:
        assert await role_of(school, "boss") == "trainee"
        await set_role(school, "boss", Role.coordinator)
        ana, ben = person(school, "ana"), person(school, "ben")
        assert en("role.expired") in [r.text for r in await ana.send(f"/join {for_coordinator}")]
        assert GRANTED_LECTURER in [r.text for r in await ben.send(f"/join {for_lecturer}")]
    finally:
        await school.close()


async def test_an_invite_dies_when_its_maker_is_forgotten(school: Runtime) -> None:
    maker = person(school, "maker")
    await maker.send("/help")
    await set_role(school, "maker", Role.coordinator)
    code = await invite_from(maker)
    async with school.sessions() as session:
        found = (await session.exec(select(Person).where(Person.channel_user_id == "maker"))).one()
        services = school.academy.services
        await forget(session, found, services.courses, services.clock())
        await session.commit()
    ana = person(school, "ana")
    assert en("role.expired") in [r.text for r in await ana.send(f"/join {code}")]
    assert await role_of(school, "ana") == "trainee"


async def test_someone_already_higher_is_not_lowered_and_leaves_the_invite_unused(
    school: Runtime,
) -> None:
    boss = person(school, "boss")
    coordinator = person(school, "coord")
    await coordinator.send(f"/join {await invite_from(boss, '/invite_coordinator')}")
    code = await invite_from(boss)
    replies = await coordinator.send(f"/join {code}")
    assert en("role.already", role=en("role.coordinator")) in [r.text for r in replies]
    assert await role_of(school, "coord") == "coordinator"
    ana = person(school, "ana")
    assert GRANTED_LECTURER in [r.text for r in await ana.send(f"/join {code}")]
