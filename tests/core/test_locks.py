import asyncio

from bot.core.locks import KeyedLock


async def test_same_key_runs_one_at_a_time_other_keys_in_parallel() -> None:
    locks = KeyedLock()
    order: list[str] = []
    release = asyncio.Event()

    async def first() -> None:
        async with locks.hold("ana"):
            order.append("ana-1 start")
            await release.wait()
            order.append("ana-1 end")

    async def second() -> None:
        async with locks.hold("ana"):
            order.append("ana-2")

    async def other() -> None:
        async with locks.hold("ben"):
            order.append("ben")

    tasks = [asyncio.create_task(first())]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(second()), asyncio.create_task(other())]
    await asyncio.sleep(0.01)
    assert order == ["ana-1 start", "ben"]
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["ana-1 start", "ben", "ana-1 end", "ana-2"]
    assert len(locks) == 0
