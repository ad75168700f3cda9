"""Stopping the ticker (SIGTERM) while a tick is in hand: the tick finishes, or is cancelled
quietly after the grace period, and nothing is logged as an error."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Delivery
from bot.pipeline.router import Services
from bot.scheduling.ticker import start_ticker
from tests.scheduling.conftest import Rig
from tests.scheduling.test_engine import announce


class Gate:
    """A planner that holds the tick until the test lets it go (or forever)."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()

    async def __call__(self, _session: AsyncSession, _services: Services, _now: datetime) -> None:
        self.entered.set()
        await self.opened.wait()


async def statuses(rig: Rig) -> list[str]:
    async with rig.runtime.sessions() as session:
        return sorted(d.status for d in await session.exec(select(Delivery)))


async def test_stopping_mid_tick_lets_the_tick_finish_without_an_error(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    cohort, _ = await rig.class_of(2)
    await announce(rig, cohort.id, "Hi")
    gate = Gate()
    rig.engine.planners.insert(0, gate)
    caplog.set_level(logging.INFO)
    ticker = start_ticker(rig.engine, 0.01)
    await asyncio.wait_for(gate.entered.wait(), 10)  # a tick is in hand
    stopping = asyncio.create_task(ticker.stop(grace=10))
    await asyncio.sleep(0)
    gate.opened.set()
    await asyncio.wait_for(stopping, 10)
    assert await statuses(rig) == ["sent", "sent"]  # the tick went to its end
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_tick_still_running_after_the_grace_period_is_cancelled_quietly(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    cohort, _ = await rig.class_of(2)
    await announce(rig, cohort.id, "Hi")
    gate = Gate()  # never opened
    rig.engine.planners.insert(0, gate)
    ticker = start_ticker(rig.engine, 0.01)
    await asyncio.wait_for(gate.entered.wait(), 10)
    await asyncio.wait_for(ticker.stop(grace=0), 10)
    assert await statuses(rig) == ["pending", "pending"]  # the next start sends them
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "still running" in caplog.text  # a warning says what happened
