"""The programme's figures are counted once a minute per view, once for requests at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import cast

from bot.web.figure_cache import FigureCache, ProgrammeFigures

NOW = datetime(2026, 3, 10, 15, tzinfo=UTC)


def counter(counts: list[datetime], at: datetime, gate: asyncio.Event | None = None):  # type: ignore[no-untyped-def]
    async def count() -> ProgrammeFigures:
        if gate is not None:
            await gate.wait()
        counts.append(at)
        return cast(ProgrammeFigures, type("Figures", (), {"counted_at": at})())

    return count


async def test_kept_a_minute_per_view() -> None:
    cache, counts = FigureCache(), []
    first = await cache.figures("a", NOW, counter(counts, NOW))
    again = await cache.figures("a", NOW + timedelta(seconds=59), counter(counts, NOW))
    other = await cache.figures("b", NOW, counter(counts, NOW))
    later = NOW + timedelta(minutes=1)
    fresh = await cache.figures("a", later, counter(counts, later))
    assert again is first and other is not first and fresh is not first
    assert counts == [NOW, NOW, later]
    # A clock set back (another test's, a corrected server clock) counts anew too.
    assert await cache.figures("a", NOW, counter(counts, NOW)) is not fresh


async def test_requests_at_once_count_once() -> None:
    cache, counts, gate = FigureCache(), [], asyncio.Event()
    waiting = [
        asyncio.create_task(cache.figures("a", NOW, counter(counts, NOW, gate))) for _ in range(3)
    ]
    await asyncio.sleep(0)
    gate.set()
    done = await asyncio.gather(*waiting)
    assert counts == [NOW] and done[0] is done[1] is done[2]
