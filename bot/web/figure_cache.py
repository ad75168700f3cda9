"""The programme page's figures, counted at most once a minute per view.

The overview, the classes side by side, the most missed questions and activity over time take
about a second together at 10,000 trainees on SQLite (docs/benchmarks.md); each alone is
100–400 ms. A coordinator reloads, sorts and filters the same page many times in a minute, and
a figure a minute old is as good to them as a fresh one: so the page keeps them `FRESH_FOR`
after counting (per server process and app, never shared between databases), one count at a
time per view. What a lecturer acts on (the questions asked, the class and trainee pages) is
always read fresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from bot.stats.model import MissedQuestion
from bot.stats.views import Activity, ClassRow, Overview

FRESH_FOR = timedelta(minutes=1)
MOST_KEPT = 64  # views kept at once (courses × lecturers' sets × languages); the oldest go first


@dataclass(frozen=True)
class ProgrammeFigures:
    """What the programme page shows besides the questions asked, and when it was counted."""

    overview: Overview
    activity: Activity
    classes: tuple[ClassRow, ...]
    missed: tuple[MissedQuestion, ...]
    counted_at: datetime


class FigureCache:
    """`ProgrammeFigures` by view (a hashable key): counted anew when older than `fresh_for`
    on the dashboard's clock."""

    def __init__(self, fresh_for: timedelta = FRESH_FOR) -> None:
        self.fresh_for = fresh_for
        self._kept: dict[Hashable, ProgrammeFigures] = {}
        self._counting: dict[Hashable, asyncio.Lock] = {}

    def _fresh(self, key: Hashable, now: datetime) -> ProgrammeFigures | None:
        found = self._kept.get(key)
        if found is not None and timedelta(0) <= now - found.counted_at < self.fresh_for:
            return found
        return None

    async def figures(
        self,
        key: Hashable,
        now: datetime,
        count: Callable[[], Awaitable[ProgrammeFigures]],
    ) -> ProgrammeFigures:
        """The figures of `key` counted less than `fresh_for` ago, else `count()`ed now (two
        requests at once for the same view count once)."""
        found = self._fresh(key, now)
        if found is not None:
            return found
        lock = self._counting.setdefault(key, asyncio.Lock())
        async with lock:
            found = self._fresh(key, now)
            if found is not None:
                return found
            made = await count()
            self._kept.pop(key, None)
            self._kept[key] = made
            while len(self._kept) > MOST_KEPT:
                oldest = next(iter(self._kept))
                del self._kept[oldest]
                self._counting.pop(oldest, None)
            return made


FIGURE_CACHE = web.AppKey("programme_figures", FigureCache)
