"""APScheduler as the ticker: it only says "now"; what to send lives in the delivery rows."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

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


class Ticker:
    """Periodic jobs (the delivery tick, the content check), never two runs of one at once (a
    slow run makes the next wait). Stopping lets the runs in hand finish, then cancels quietly
    what is still running after a grace period."""

    def __init__(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._running: set[asyncio.Task[object]] = set()
        self._stopping = False

    def every(self, seconds: float, job: Callable[[], Awaitable[object]], *, name: str) -> None:
        """Run `job` every `seconds` seconds from now on."""
        self.scheduler.add_job(
            self._run,
            "interval",
            args=[job],
            seconds=seconds,
            max_instances=1,
            coalesce=True,
            id=name,
            name=name,
        )

    async def _run(self, job: Callable[[], Awaitable[object]]) -> None:
        # The job runs as a task of our own: APScheduler cancels its runs when it shuts down,
        # and would log that as the job's error; stop() decides when the job ends.
        task = asyncio.ensure_future(job())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not self._stopping:
                raise

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self, grace: float) -> None:
        """Start no new run; wait up to `grace` seconds for the runs in hand, then cancel them
        (a tick cut short leaves its claimed rows to go out after their lease)."""
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        running = set(self._running)
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=grace)
        if late:
            log.warning(
                "stopping: %d periodic job(s) still running after %s s, cancelled; "
                "their messages go out after the next start",
                len(late),
                grace,
            )
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)


def start_ticker(engine: DeliveryEngine | None, interval: float) -> Ticker:
    """Tick every `interval` seconds. With no engine (a webhook worker other than the first), a
    ticker for other periodic jobs."""
    ticker = Ticker()
    if engine is not None:

        async def tick() -> None:
            await _tick(engine)

        ticker.every(interval, tick, name="deliveries")
    ticker.start()
    return ticker
