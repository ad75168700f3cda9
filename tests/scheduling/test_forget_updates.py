"""The delivery ticker forgets applied updates after a few days (Telegram redelivers for one)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.db.models import ProcessedUpdate
from bot.db.processed import mark_applied
from tests.scheduling.conftest import Rig


async def test_marks_older_than_three_days_are_pruned_by_the_tick(rig: Rig) -> None:
    async with rig.runtime.sessions() as session:
        await mark_applied(session, "telegram", "1", rig.clock.now)
        await mark_applied(session, "telegram", "2", rig.clock.now + timedelta(days=2))
        await session.commit()
    rig.clock.advance(days=3, hours=1)
    await rig.engine.tick()
    async with rig.runtime.sessions() as session:
        left = list(await session.exec(select(ProcessedUpdate.ref)))
    assert left == ["2"]
