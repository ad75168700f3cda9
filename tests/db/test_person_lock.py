"""Two workers (two engines on one PostgreSQL database) never handle one person at once."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.core.messages import Incoming, Sender
from bot.db.models import Person
from bot.db.person_lock import lock_person, person_key
from tests.conftest import make_settings, migrated_runtime


def test_keys_are_stable_signed_64_bit_and_distinct() -> None:
    key = person_key("telegram", "123")
    assert key == person_key("telegram", "123")
    assert -(2**63) <= key < 2**63
    assert len({person_key("telegram", str(n)) for n in range(10_000)}) == 10_000
    assert person_key("telegram", "1") != person_key("console", "1")


async def test_a_second_worker_waits_for_the_first(postgres_url: str) -> None:
    first = await migrated_runtime(make_settings(postgres_url))
    second = await migrated_runtime(make_settings(postgres_url))
    ana = Sender("telegram", "501", display_name="Ana", language_hint="en")
    try:
        async with first.sessions() as session:
            await first.academy.handle(Incoming.from_text(ana, "/start"), session)
        async with first.sessions() as holding:
            await lock_person(holding, ana)  # worker one is busy with Ana

            async def other_worker() -> list[str]:
                async with second.sessions() as session:
                    replies = await second.academy.handle(Incoming.from_text(ana, "/help"), session)
                return [reply.text for reply in replies]

            waiting = asyncio.create_task(other_worker())
            await asyncio.sleep(0.5)
            assert not waiting.done()
            # Someone else is not held up.
            rosa = Sender("telegram", "502", display_name="Rosa", language_hint="es")
            async with second.sessions() as session:
                assert await second.academy.handle(Incoming.from_text(rosa, "/help"), session)
            await holding.commit()
        assert (await asyncio.wait_for(waiting, 5))[0]
    finally:
        await first.close()
        await second.close()


async def test_a_new_persons_first_messages_on_two_workers(postgres_url: str) -> None:
    workers = [await migrated_runtime(make_settings(postgres_url)) for _ in range(2)]
    eve = Sender("telegram", "503", display_name="Eve", language_hint="en")
    try:

        async def send(number: int) -> None:
            runtime = workers[number % 2]
            async with runtime.sessions() as session:
                replies = await runtime.academy.handle(Incoming.from_text(eve, "/help"), session)
            assert replies and "error" not in replies[0].text.lower()

        await asyncio.gather(*(send(n) for n in range(10)))
        async with workers[0].sessions() as session:
            people = (
                await session.exec(select(Person).where(Person.channel_user_id == "503"))
            ).all()
        assert len(people) == 1
    finally:
        for runtime in workers:
            await runtime.close()
