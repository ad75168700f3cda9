"""APScheduler as the ticker: it only says "now"; what to send lives in the delivery rows."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.db.outage import database_unavailable
from bot.scheduling.engine import DeliveryEngine

log = logging.getLogger(__name__)


async def _tick(engine: DeliveryEngine) -> None:
    try:
        report = await engine.tick()
    except Exception as error:  # the database is away: try again next tick
        if database_unavailable(error):
            log.warning("delivery tick skipped: the database is away (%s)", error)
            return
        log.exception("delivery tick failed")
        return
    if report.claimed:
        log.info("delivered %s", report.outcomes)


def start_ticker(engine: DeliveryEngine | None, interval: float) -> AsyncIOScheduler:
    """Tick every `interval` seconds, never two ticks at once (a slow tick makes the next wait).

    With no engine (a webhook worker other than the first), a scheduler for other periodic jobs.
    """
    scheduler = AsyncIOScheduler(timezone="UTC")
    if engine is not None:
        scheduler.add_job(
            _tick,
            "interval",
            args=[engine],
            seconds=interval,
            max_instances=1,
            coalesce=True,
            id="deliveries",
        )
    scheduler.start()
    return scheduler
