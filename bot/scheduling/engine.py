"""The delivery engine: each tick plans what has come due, claims due rows under a lease, and
sends them through the channel (whose sending is rate-limited), recording every outcome."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Reply
from bot.core.router import Services
from bot.db.models import Delivery, DeliveryStatus, Person
from bot.db.people import mark_blocked
from bot.scheduling import store
from bot.scheduling.compose import ANNOUNCEMENT, compose
from bot.scheduling.transport import Result, Transport

log = logging.getLogger(__name__)
# A planner turns schedules (reminder times, lesson plans, finished announcements) into rows.
Planner = Callable[[AsyncSession, Services, datetime], Awaitable[None]]
MAX_ATTEMPTS = 6


@dataclass
class TickReport:
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, status: DeliveryStatus) -> None:
        self.outcomes[status.value] = self.outcomes.get(status.value, 0) + 1


class DeliveryEngine:
    """Sends every due delivery exactly once in the normal case, at least once after a crash."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        services: Services,
        transports: dict[str, Transport],
        *,
        planners: list[Planner] | None = None,
        batch: int = 100,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=120),
    ) -> None:
        self.sessions = sessions
        self.services = services
        self.transports = transports
        self.planners = planners or []
        self.batch = batch
        self.concurrency = concurrency
        self.lease = lease

    async def plan(self, now: datetime) -> None:
        for planner in self.planners:
            try:
                async with self.sessions() as session:
                    await planner(session, self.services, now)
                    await session.commit()
            except Exception:  # one broken planner must not stop the others or the sending
                log.exception("planner %s failed", getattr(planner, "__name__", planner))

    async def tick(self, *, until_idle: bool = True) -> TickReport:
        """Plan, then send batches of due rows until none is due (or one batch)."""
        report = TickReport()
        await self.plan(self.services.clock())
        while True:
            async with self.sessions() as session:
                claimed = await store.claim(
                    session, self.services.clock(), limit=self.batch, lease=self.lease
                )
            report.claimed += len(claimed)
            if not claimed:
                return report
            await self.send_all(claimed, report)
            if not until_idle or len(claimed) < self.batch:
                return report

    async def send_all(self, deliveries: list[Delivery], report: TickReport) -> None:
        queue: asyncio.Queue[Delivery] = asyncio.Queue()
        for delivery in deliveries:
            queue.put_nowait(delivery)
        async with self.sessions() as session:  # one query for the batch, not one per message
            people = await store.people(session, [d.person_id for d in deliveries])
        shared: dict[tuple[str, str, str], Reply | None] = {}

        async def worker() -> None:
            while not queue.empty():
                delivery = queue.get_nowait()
                try:
                    person = people.get(delivery.person_id)
                    report.count(await self.send_one(delivery, person, shared))
                except Exception:  # a bug in composing one message: record it, go on
                    log.exception("delivery %s failed unexpectedly", delivery.id)
                    async with self.sessions() as session:
                        retry = self.services.clock() + store.backoff(delivery.attempts)
                        status = self._retry_status(delivery)
                        await store.finish(
                            session,
                            delivery.id or 0,
                            status,
                            self.services.clock(),
                            error="internal error",
                            retry_at=retry,
                        )
                    report.count(status)

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(deliveries)))))

    def _retry_status(self, delivery: Delivery) -> DeliveryStatus:
        return (
            DeliveryStatus.failed if delivery.attempts >= MAX_ATTEMPTS else DeliveryStatus.pending
        )

    async def send_one(
        self,
        delivery: Delivery,
        person: Person | None,
        shared: dict[tuple[str, str, str], Reply | None],
    ) -> DeliveryStatus:
        """Compose, send and record one delivery. `shared` keeps replies that are the same for
        everyone (an announcement), so a fan-out composes them once."""
        assert delivery.id is not None
        async with self.sessions() as session:
            now = self.services.clock()
            if person is None or person.blocked:
                status = DeliveryStatus.blocked if person else DeliveryStatus.skipped
                await store.finish(session, delivery.id, status, now)
                return status
            transport = self.transports.get(person.channel)
            key = (delivery.kind, delivery.ref, delivery.occurrence)
            if delivery.kind == ANNOUNCEMENT and key in shared:
                reply = shared[key]
            else:
                reply = await compose(session, self.services, delivery, person)
                if delivery.kind == ANNOUNCEMENT:
                    shared[key] = reply
            if transport is None or reply is None:
                await store.finish(session, delivery.id, DeliveryStatus.skipped, now)
                return DeliveryStatus.skipped
        outcome = await transport.send(person, reply)
        now = self.services.clock()
        async with self.sessions() as session:
            match outcome.result:
                case Result.sent:
                    status, retry_at = DeliveryStatus.sent, None
                case Result.blocked:
                    status, retry_at = DeliveryStatus.blocked, None
                    await mark_blocked(session, person.channel, person.channel_user_id)
                case Result.failed:
                    status, retry_at = DeliveryStatus.failed, None
                case Result.retry:
                    wait = (
                        timedelta(seconds=outcome.retry_after)
                        if outcome.retry_after
                        else store.backoff(delivery.attempts)
                    )
                    status, retry_at = self._retry_status(delivery), now + wait
            await store.finish(
                session, delivery.id, status, now, error=outcome.error, retry_at=retry_at
            )
        return status
