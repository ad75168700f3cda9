"""Every update is applied at most once: a redelivered update (same channel and update ref) is
recognised in the database and gets no reply; a failed one is not marked, so its redelivery is
applied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy import func, update
from sqlmodel import select

from bot.core.messages import Incoming
from bot.db.models import Cohort, ProcessedUpdate, RoleInvite, TraineeQuestion
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings, migrated_runtime


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await migrated_runtime(make_settings(database_url, admin_ids="test:boss"))
    try:
        yield runtime
    finally:
        await runtime.close()


async def count(runtime: Runtime, model: type) -> int:
    async with runtime.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def handle(runtime: Runtime, incoming: Incoming) -> list:
    async with runtime.sessions() as session:
        return await runtime.academy.handle(incoming, session)


def command(person: Trainee, text: str, ref: str) -> Incoming:
    return replace(Incoming.from_text(person.sender, text), update_ref=ref)


async def test_a_redelivered_update_is_applied_once_and_gets_no_reply(school: Runtime) -> None:
    boss = Trainee(school, "boss", "Boss", "en")
    await boss.send("/start")
    first = await handle(school, command(boss, "/newcohort Peaches", "1001"))
    again = await handle(school, command(boss, "/newcohort Peaches", "1001"))
    assert len(first) == 3 and again == []
    assert await count(school, Cohort) == 1

    invites = [await handle(school, command(boss, "/invite_lecturer", "1002")) for _ in range(2)]
    assert [len(i) for i in invites] == [1, 0]
    assert await count(school, RoleInvite) == 1

    # Another update with the same text is a new tap: it is applied.
    assert len(await handle(school, command(boss, "/invite_lecturer", "1003"))) == 1
    assert await count(school, RoleInvite) == 2


async def test_a_question_redelivered_uses_the_quota_once(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    asking = command(ana, "how do I take a good photo of peaches?", "2001")
    assert len(await handle(school, asking)) == 1
    assert await handle(school, asking) == []
    assert await count(school, TraineeQuestion) == 1


async def test_the_same_ref_on_another_channel_is_another_update(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    ben = Trainee(school, "ben", "Ben", "en")
    ben.sender = replace(ben.sender, channel="other")
    asking = "how do I take a good photo of peaches?"
    assert len(await handle(school, command(ana, asking, "7"))) == 1
    assert len(await handle(school, command(ben, asking, "7"))) == 1
    assert await count(school, ProcessedUpdate) == 2
    assert await count(school, TraineeQuestion) == 2


async def test_an_update_that_changed_nothing_is_not_marked_and_answered_again(
    school: Runtime,
) -> None:
    """Reading help or a menu again changes nothing: no mark is written for it (a write saved on
    most updates), and a redelivery of it gets the same answer again."""
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    first = await handle(school, command(ana, "/help", "5001"))
    again = await handle(school, command(ana, "/help", "5001"))
    assert first == again and len(first) == 1
    assert await count(school, ProcessedUpdate) == 0
    # The same person's next update that does change something is marked.
    await handle(school, command(ana, "how do I take a good photo of peaches?", "5002"))
    assert await count(school, ProcessedUpdate) == 1


async def test_a_write_by_statement_counts_as_a_change(school: Runtime) -> None:
    """A handler that changes rows with an UPDATE statement (no object in the session) is
    marked like one that adds objects."""

    async def rename_all(ctx):
        await ctx.session.exec(update(Cohort).values(name="renamed"))
        return []

    school.academy.router.commands["rename_all"] = rename_all
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    await handle(school, command(ana, "/rename_all", "6001"))
    assert await count(school, ProcessedUpdate) == 1


async def test_an_update_that_failed_is_applied_when_redelivered(school: Runtime) -> None:
    calls = []

    async def flaky(ctx):
        calls.append(ctx.incoming.update_ref)
        ctx.session.add(Cohort(name="x", course_id="sample", timezone="UTC", invite_code="c1"))
        if len(calls) == 1:
            raise RuntimeError("the first try fails after writing")
        return []

    school.academy.router.commands["flaky"] = flaky
    ana = Trainee(school, "ana", "Ana", "en")
    await handle(school, command(ana, "/flaky", "3001"))  # apologises, rolls back
    assert await count(school, ProcessedUpdate) == 0
    await handle(school, command(ana, "/flaky", "3001"))
    await handle(school, command(ana, "/flaky", "3001"))
    assert calls == ["3001", "3001"]
    assert await count(school, Cohort) == 1


async def test_updates_without_a_ref_are_never_taken_for_duplicates(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    assert len(await ana.send("/help")) == 1
    assert len(await ana.send("/help")) == 1
    assert await count(school, ProcessedUpdate) == 0


async def test_two_workers_racing_the_same_update_apply_it_once(school: Runtime) -> None:
    """Two processes (two engines on one database) get the same update at once."""
    boss = Trainee(school, "boss", "Boss", "en")
    await boss.send("/start")
    other = await migrated_runtime(school.settings)
    try:
        racing = command(boss, "/newcohort Peaches", "4001")
        answers = await asyncio.gather(handle(school, racing), handle(other, racing))
    finally:
        await other.close()
    assert sorted(len(a) for a in answers) == [0, 3]
    assert await count(school, Cohort) == 1
