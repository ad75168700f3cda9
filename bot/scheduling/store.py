"""Delivery rows: enqueue, claim under a lease, and record what happened."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, Person
from bot.db.upsert import insert_ignore

ERROR_LENGTH = 500  # Delivery.last_error's column

FINAL = (
    DeliveryStatus.sent,
    DeliveryStatus.failed,
    DeliveryStatus.blocked,
    DeliveryStatus.skipped,
    DeliveryStatus.cancelled,
)


async def enqueue(
    session: AsyncSession,
    person_ids: Iterable[int],
    *,
    kind: DeliveryKind,
    due_at: datetime,
    ref: str = "",
    occurrence: str = "",
) -> None:
    """One delivery per person; one that already exists for the same occurrence is kept as is."""
    for person_id in person_ids:
        await insert_ignore(
            session,
            Delivery,
            person_id=person_id,
            kind=kind,
            ref=ref,
            occurrence=occurrence,
            due_at=due_at,
            status=DeliveryStatus.pending,
            attempts=0,
        )


async def claim(
    session: AsyncSession, now: datetime, *, limit: int, lease: timedelta
) -> list[Delivery]:
    """Take up to `limit` due rows (and rows whose sender died: lease expired) for this sender.

    On PostgreSQL the rows are locked with SKIP LOCKED, so two senders never take the same row;
    SQLite has a single writer, so the UPDATE alone is atomic there.
    """
    due = (
        select(Delivery.id)
        .where(
            or_(
                and_(
                    col(Delivery.status) == DeliveryStatus.pending,
                    col(Delivery.due_at) <= now,
                ),
                and_(
                    col(Delivery.status) == DeliveryStatus.sending,
                    col(Delivery.lease_until) < now,
                ),
            )
        )
        .order_by(col(Delivery.due_at), col(Delivery.id))
        .limit(limit)
    )
    dialect = (await session.connection()).dialect.name
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = await session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(due.scalar_subquery()))
        .values(
            status=DeliveryStatus.sending,
            lease_until=now + lease,
            attempts=col(Delivery.attempts) + 1,
        )
        .returning(Delivery)
        .execution_options(synchronize_session=False)
    )
    rows = list(claimed.scalars().all())
    await session.commit()
    return sorted(rows, key=lambda d: (d.due_at, d.id or 0))


async def finish(
    session: AsyncSession,
    delivery_id: int,
    status: DeliveryStatus,
    now: datetime,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record an outcome, only if the row is still ours (claimed and not reclaimed)."""
    # Cut to the column: PostgreSQL refuses a longer value (SQLite would store it).
    last_error = error[:ERROR_LENGTH] if error is not None else None
    values: dict[str, Any] = {"status": status.value, "lease_until": None, "last_error": last_error}
    if status is DeliveryStatus.sent:
        values["sent_at"] = now
    if status in FINAL:  # a kept reply's words and file are not kept once it is settled
        values["body"] = values["attachment"] = None
    if retry_at is not None:
        values["due_at"] = retry_at
    await session.exec(
        update(Delivery)
        .where(
            col(Delivery.id) == delivery_id,
            col(Delivery.status) == DeliveryStatus.sending,
        )
        .values(**values)
    )
    await session.commit()


async def due_at(session: AsyncSession, delivery_id: int) -> datetime | None:
    """When a delivery is (next) due."""
    found = await session.exec(select(Delivery.due_at).where(col(Delivery.id) == delivery_id))
    return found.first()


async def release(session: AsyncSession, delivery_ids: Sequence[int], due: datetime) -> None:
    """Hand back claimed rows unsent, due at `due`; the claim does not count as an attempt."""
    if not delivery_ids:
        return
    await session.exec(
        update(Delivery)
        .where(
            col(Delivery.id).in_(delivery_ids),
            col(Delivery.status) == DeliveryStatus.sending,
        )
        .values(
            status=DeliveryStatus.pending,
            due_at=due,
            lease_until=None,
            attempts=col(Delivery.attempts) - 1,
        )
    )


async def cancel(session: AsyncSession, *, kind: str, ref: str) -> None:
    """Call off every delivery of a plan or announcement that has not gone out yet."""
    await session.exec(
        update(Delivery)
        .where(
            col(Delivery.kind) == kind,
            col(Delivery.ref) == ref,
            col(Delivery.status) == DeliveryStatus.pending,
        )
        .values(status=DeliveryStatus.cancelled)
    )


async def counts(
    session: AsyncSession, *, kind: DeliveryKind, ref: str
) -> dict[DeliveryStatus, int]:
    """How many deliveries of a plan step or announcement are in each status."""
    rows = await session.exec(
        select(Delivery.status, func.count())
        .where(col(Delivery.kind) == kind, col(Delivery.ref) == ref)
        .group_by(col(Delivery.status))
    )
    return {DeliveryStatus(status): int(n) for status, n in rows}


async def backlog(session: AsyncSession, now: datetime) -> int:
    """How many deliveries are due and still waiting to be sent."""
    found = await session.exec(
        select(func.count())
        .select_from(Delivery)
        .where(
            col(Delivery.status) == DeliveryStatus.pending,
            col(Delivery.due_at) <= now,
        )
    )
    return int(found.one())


async def people(session: AsyncSession, ids: Sequence[int]) -> dict[int, Person]:
    found = await session.exec(select(Person).where(col(Person.id).in_(ids)))
    return {p.id: p for p in found if p.id is not None}


def backoff(attempts: int) -> timedelta:
    """Wait before retrying a transient failure: 30 s, 1 min, 2 min, ... up to 30 min."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(minutes=30))
