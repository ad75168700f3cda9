"""The delivery engine: each tick plans what has come due, claims due rows under a lease, and
sends them through the channel (whose sending is rate-limited), recording every outcome."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Reply
from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, Person
from bot.db.outage import database_unavailable
from bot.db.people import mark_blocked
from bot.db.receipts import record_sent
from bot.scheduling import outbox, store
from bot.scheduling.compose import addressed, compose
from bot.scheduling.services import SchedulerServices
from bot.scheduling.transport import Result, Transport

log = logging.getLogger(__name__)
# A planner turns schedules (reminder times, lesson plans, finished announcements) into rows.
Planner = Callable[[AsyncSession, SchedulerServices, datetime], Awaitable[None]]
MAX_ATTEMPTS = 6
# A reply someone waits for is tried for longer: with the backoff capped at 30 min, ~8 hours.
MAX_REPLY_ATTEMPTS = 20


SharedKey = tuple[str, str, str, str]  # kind, ref, occurrence, language


class SharedReplies:
    """Messages that read the same for everyone in one language (an announcement to a class),
    composed once per tick: the first worker to need one composes it, the others wait for it
    instead of composing it too (at 80 msg/s, eight concurrent compositions at the start of
    every batch were a pause in the sending)."""

    def __init__(self) -> None:
        self.replies: dict[SharedKey, Reply | None] = {}
        self.locks: dict[SharedKey, asyncio.Lock] = {}

    async def get(
        self, key: SharedKey, make: Callable[[], Awaitable[Reply | None]]
    ) -> Reply | None:
        """The reply kept under `key`, made by `make()` if none is kept yet."""
        if key not in self.replies:
            async with self.locks.setdefault(key, asyncio.Lock()):
                if key not in self.replies:  # (made while this worker waited)
                    self.replies[key] = await make()
        return self.replies[key]


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
        services: SchedulerServices,
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
            except Exception as error:  # one broken planner must not stop the others
                name = getattr(planner, "__name__", planner)
                if database_unavailable(error):
                    log.warning("planner %s: the database is away (%s)", name, error)
                    continue
                log.exception("planner %s failed", name)

    async def tick(self, *, until_idle: bool = True) -> TickReport:
        """Plan, then send batches of due rows until none is due (or one batch)."""
        report = TickReport()
        shared = SharedReplies()
        await self.plan(self.services.clock())
        while True:
            async with self.sessions() as session:
                claimed = await store.claim(
                    session, self.services.clock(), limit=self.batch, lease=self.lease
                )
            report.claimed += len(claimed)
            if not claimed:
                return report
            await self.send_all(claimed, report, shared)
            if not until_idle or len(claimed) < self.batch:
                return report

    async def send_all(
        self,
        deliveries: list[Delivery],
        report: TickReport,
        shared: SharedReplies | None = None,
    ) -> None:
        """Send a batch; one person's rows one after another, in their order, so a reply kept
        in the outbox is never overtaken by the one made after it. `shared`: the messages the
        tick composed once for everyone (default: this batch's own)."""
        queue: asyncio.Queue[list[Delivery]] = asyncio.Queue()
        by_person: dict[int, list[Delivery]] = {}
        for delivery in deliveries:
            by_person.setdefault(delivery.person_id, []).append(delivery)
        for rows in by_person.values():
            queue.put_nowait(rows)
        async with self.sessions() as session:  # one query for the batch, not one per message
            people = await store.people(session, list(by_person))
        shared = shared if shared is not None else SharedReplies()

        async def worker() -> None:
            while not queue.empty():
                rows = queue.get_nowait()
                for index, delivery in enumerate(rows):
                    status = await self._send_counted(delivery, people, shared, report)
                    if status is DeliveryStatus.pending and delivery.kind == DeliveryKind.reply:
                        await self._hold_back(delivery, rows[index + 1 :])
                        break

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, queue.qsize()))))

    async def _send_counted(
        self,
        delivery: Delivery,
        people: dict[int, Person],
        shared: SharedReplies,
        report: TickReport,
    ) -> DeliveryStatus:
        try:
            status = await self.send_one(delivery, people.get(delivery.person_id), shared)
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
        return status

    async def _hold_back(self, failed: Delivery, behind: list[Delivery]) -> None:
        """A person's reply goes out later: the rows behind it wait at least as long."""
        async with self.sessions() as session:
            until = await store.due_at(session, failed.id or 0)
            if until is None:
                return
            await store.release(session, [d.id or 0 for d in behind], until)
            await outbox.hold_back(session, failed.person_id, until)
            await session.commit()

    def _retry_status(self, delivery: Delivery) -> DeliveryStatus:
        limit = MAX_REPLY_ATTEMPTS if delivery.kind == DeliveryKind.reply else MAX_ATTEMPTS
        return DeliveryStatus.failed if delivery.attempts >= limit else DeliveryStatus.pending

    async def send_one(
        self,
        delivery: Delivery,
        person: Person | None,
        shared: SharedReplies,
    ) -> DeliveryStatus:
        """Compose, send and record one delivery. `shared` keeps replies that are the same for
        everyone reading one language (an announcement), so a fan-out composes them once per
        language; each is then addressed to its own person (the template's greeting and
        button)."""
        assert delivery.id is not None
        async with self.sessions() as session:
            now = self.services.clock()
            if person is None or person.blocked:
                status = DeliveryStatus.blocked if person else DeliveryStatus.skipped
                await store.finish(session, delivery.id, status, now)
                return status
            transport = self.transports.get(person.channel)
            if delivery.kind == DeliveryKind.announcement:
                key = (delivery.kind, delivery.ref, delivery.occurrence, person.language)
                make = partial(compose, session, self.services, delivery, person)
                reply = await shared.get(key, make)
                if reply is not None:
                    reply = addressed(reply, delivery, person)
            else:
                reply = await compose(session, self.services, delivery, person)
            if transport is None or reply is None:
                await store.finish(session, delivery.id, DeliveryStatus.skipped, now)
                return DeliveryStatus.skipped
        outcome = await transport.send(person, reply)
        now = self.services.clock()
        async with self.sessions() as session:
            match outcome.result:
                case Result.sent:
                    status, retry_at = DeliveryStatus.sent, None
                    # In the transaction that marks it sent: a receipt never names a row that
                    # could still be sent again.
                    await record_sent(
                        session,
                        person.channel,
                        outcome.message_refs,
                        person.id or 0,
                        now,
                        delivery_id=delivery.id,
                    )
                case Result.blocked:
                    status, retry_at = DeliveryStatus.blocked, None
                    await mark_blocked(session, person.channel, person.channel_user_id)
                case Result.failed | Result.undeliverable:  # the person stays reachable
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
