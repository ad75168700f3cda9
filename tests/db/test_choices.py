"""The numbered choices kept per person (bot/db/choices.py): replaced by the next set, read back
from a typed number or label, not read after 48 hours, pruned, gone with the person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.core.messages import NumberedChoice
from bot.db.choices import KEEP, chosen_payload, prune, remember_choices
from bot.db.models import OfferedChoice, Person
from bot.runtime import Runtime

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def someone(runtime: Runtime, user_id: str = "o-1") -> int:
    async with runtime.sessions() as session:
        person = Person(channel="wechat", channel_user_id=user_id, language="zh")
        session.add(person)
        await session.commit()
        assert person.id is not None
        return person.id


async def offer(runtime: Runtime, person_id: int, choices, now: datetime = NOW) -> None:
    async with runtime.sessions() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        await remember_choices(session, person, choices, now)
        await session.commit()


async def typed(runtime: Runtime, person_id: int, text: str, now: datetime = NOW) -> str | None:
    async with runtime.sessions() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        return await chosen_payload(session, person, text, now)


async def test_the_next_set_replaces_the_one_before(runtime: Runtime) -> None:
    ana = await someone(runtime)
    await offer(runtime, ana, [NumberedChoice(1, "下一张", "a"), NumberedChoice(2, "提问", "b")])
    assert await typed(runtime, ana, "2") == "b"
    await offer(runtime, ana, [NumberedChoice(1, "再做一次", "c")], NOW + timedelta(minutes=1))
    assert await typed(runtime, ana, "1") == "c"
    assert await typed(runtime, ana, "2") is None
    assert await typed(runtime, ana, "提问") is None
    assert await typed(runtime, ana, "再做一次") == "c"


async def test_an_empty_set_leaves_the_one_before(runtime: Runtime) -> None:
    ana = await someone(runtime)
    await offer(runtime, ana, [NumberedChoice(1, "下一张", "a")])
    await offer(runtime, ana, [])
    assert await typed(runtime, ana, "1") == "a"


async def test_a_set_is_read_for_48_hours_then_pruned(runtime: Runtime) -> None:
    ana = await someone(runtime)
    rosa = await someone(runtime, "o-2")
    await offer(runtime, ana, [NumberedChoice(1, "下一张", "a")])
    await offer(runtime, rosa, [NumberedChoice(1, "下一张", "r")], NOW + timedelta(hours=1))
    assert await typed(runtime, ana, "1", NOW + KEEP - timedelta(seconds=1)) == "a"
    assert await typed(runtime, ana, "1", NOW + KEEP) is None
    async with runtime.sessions() as session:
        assert await prune(session, NOW + KEEP + timedelta(minutes=1)) == 1
        await session.commit()
        left = await session.exec(select(OfferedChoice.person_id))
        assert list(left) == [rosa]


async def test_nobody_offered_a_set_is_asked_nothing(runtime: Runtime) -> None:
    ana = await someone(runtime)
    async with runtime.sessions() as session:
        person = await session.get(Person, ana)
        assert person is not None and person.choices_at is None
        await session.commit()
        # No set kept: answered without a query (the session stays out of a transaction).
        assert await chosen_payload(session, person, "1", NOW) is None
        assert not session.in_transaction()


async def test_long_labels_are_kept_cut_and_overlong_payloads_left_out(runtime: Runtime) -> None:
    ana = await someone(runtime)
    await offer(
        runtime,
        ana,
        [NumberedChoice(1, "长" * 300, "a"), NumberedChoice(2, "x", "p" * 600)],
    )
    async with runtime.sessions() as session:
        rows = list(await session.exec(select(OfferedChoice)))
    assert [(row.number, len(row.label)) for row in rows] == [(1, 256)]
    assert await typed(runtime, ana, "1") == "a"


async def test_forgetting_a_person_forgets_their_choices(runtime: Runtime) -> None:
    ana = await someone(runtime)
    await offer(runtime, ana, [NumberedChoice(1, "下一张", "a")])
    async with runtime.sessions() as session:
        person = await session.get(Person, ana)
        await session.delete(person)
        await session.commit()
        assert list(await session.exec(select(OfferedChoice))) == []


async def test_a_tap_is_read_by_its_id_when_the_id_reads_as_the_tapped_words(
    runtime: Runtime,
) -> None:
    ana = await someone(runtime)
    twins = [NumberedChoice(1, "下一张", "a"), NumberedChoice(2, "下一张", "b")]
    await offer(runtime, ana, twins)
    async with runtime.sessions() as session:
        person = await session.get(Person, ana)
        assert person is not None
        assert await chosen_payload(session, person, "下一张", NOW, tap_id="2") == "b"
        assert await chosen_payload(session, person, "下一张", NOW, tap_id="0") == "a"
        assert await chosen_payload(session, person, "下一张", NOW) == "a"
