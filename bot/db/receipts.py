"""Receipts of sent messages: what a channel that reports them (WhatsApp's status web-hooks,
WeChat's TEMPLATESENDJOBFINISH events for template messages) says became of each message, so a
lecturer's report and the statistics can count "delivered" and "read", and someone whose
messages are never delivered can be told apart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Delivery, DeliveryKind, MessageReceipt, ReceiptStatus
from bot.db.processed import REF_LENGTH

# Receipts are kept this long, then pruned on the delivery tick: the statistics count what
# came of the messages of the last three months, and unreachable looks back far less.
KEEP = timedelta(days=90)

# How far each status gets: a late "delivered" never takes back a "read".
_RANK = {
    ReceiptStatus.sent: 0,
    ReceiptStatus.delivered: 1,
    ReceiptStatus.read: 2,
    ReceiptStatus.failed: 3,
}


@dataclass(frozen=True)
class Receipt:
    """One status report of one sent message, as the channel parsed it."""

    message_ref: str
    status: ReceiptStatus
    at: datetime
    error_code: int | None = None


async def record_sent(
    session: AsyncSession,
    channel: str,
    message_refs: Iterable[str],
    person_id: int,
    now: datetime,
    delivery_id: int | None = None,
) -> None:
    """Remember messages just sent to a person (in the session's transaction). A ref already
    recorded is left as it is (a status may have come first)."""
    rows = [
        {
            "channel": channel,
            "message_ref": ref[:REF_LENGTH],
            "person_id": person_id,
            "delivery_id": delivery_id,
            "status": ReceiptStatus.sent.value,
            "sent_at": now,
        }
        for ref in message_refs
        if ref
    ]
    if not rows:
        return
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    await connection.execute(dialect.insert(MessageReceipt).on_conflict_do_nothing(), rows)


async def apply_receipts(
    session: AsyncSession,
    channel: str,
    receipts: Iterable[Receipt],
    *,
    unknown: list[Receipt] | None = None,
) -> int:
    """Apply status reports to the messages they name; returns how many messages changed.
    The rows are locked for the rest of the transaction (PostgreSQL; SQLite has one writer and
    a caller applying reports concurrently must take them one at a time). Reports of messages
    never recorded (sent before receipts were kept, or by another tool on
    the same number) are ignored; they are added to `unknown` when given (a report can overtake
    the commit that records its message: the caller may try them again a little later)."""
    by_ref: dict[str, list[Receipt]] = {}
    for receipt in receipts:
        by_ref.setdefault(receipt.message_ref[:REF_LENGTH], []).append(receipt)
    if not by_ref:
        return 0
    # Locked until the commit (PostgreSQL): two workers folding reports of the same message
    # (its "delivered" and its "read") one after the other, never both from the same old row.
    found = await session.exec(
        select(MessageReceipt)
        .where(
            col(MessageReceipt.channel) == channel,
            col(MessageReceipt.message_ref).in_(list(by_ref)),
        )
        .with_for_update()
    )
    changed = 0
    rows = found.all()
    if unknown is not None:
        known = {row.message_ref for row in rows}
        unknown.extend(r for ref, group in by_ref.items() if ref not in known for r in group)
    for row in rows:
        before = _state(row)
        for receipt in by_ref[row.message_ref]:
            _apply(row, receipt)
        if _state(row) != before:
            session.add(row)
            changed += 1
    return changed


def _apply(row: MessageReceipt, receipt: Receipt) -> None:
    """Fold one report into the row: the furthest status, and each moment the earliest any
    report gave, so neither the order reports arrive in nor their repeats change the end."""
    status = receipt.status
    if status is ReceiptStatus.failed:
        row.failed_at = _earliest(row.failed_at, receipt.at)
        if row.error_code is None:  # a repeat without a code keeps the code said first
            row.error_code = receipt.error_code
    if status in (ReceiptStatus.delivered, ReceiptStatus.read):
        # Read implies delivered: a "read" overtaking its "delivered" still counts as arrived.
        row.delivered_at = _earliest(row.delivered_at, receipt.at)
    if status is ReceiptStatus.read:
        row.read_at = _earliest(row.read_at, receipt.at)
    if _RANK[status] > _RANK[row.status]:
        row.status = status


def _state(row: MessageReceipt) -> tuple[object, ...]:
    return (row.status, row.delivered_at, row.read_at, row.failed_at, row.error_code)


def _earliest(known: datetime | None, reported: datetime) -> datetime:
    return reported if known is None or reported < known else known


@dataclass(frozen=True)
class ReceiptCounts:
    """What came of messages sent on channels that report receipts: how many of them were
    tracked at all (0 on Telegram, which reports nothing), reached the phone, were read, and
    failed without any of them reaching it (WeChat: the person refuses the account's
    messages)."""

    tracked: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0

    def __add__(self, other: ReceiptCounts) -> ReceiptCounts:
        return ReceiptCounts(
            self.tracked + other.tracked,
            self.delivered + other.delivered,
            self.read + other.read,
            self.failed + other.failed,
        )


async def announcement_receipts(session: AsyncSession, ref: str) -> ReceiptCounts:
    """Of the people an announcement (`ref`, "ann:<id>") went to on a channel that reports
    receipts: how many, how many had it on their phone, how many read it, and how many it
    failed to reach. A person counts once however many messages their copy took (a template
    and the text, say)."""
    total = ReceiptCounts()
    for counts in (await announcement_receipts_by_channel(session, ref)).values():
        total += counts
    return total


async def announcement_receipts_by_channel(
    session: AsyncSession, ref: str
) -> dict[str, ReceiptCounts]:
    """`announcement_receipts` for each channel that reported any (none: empty)."""
    per_delivery = (
        select(
            col(MessageReceipt.channel).label("channel"),
            func.max(_flag(col(MessageReceipt.delivered_at))).label("delivered"),
            func.max(_flag(col(MessageReceipt.read_at))).label("read"),
            func.max(_flag(col(MessageReceipt.failed_at))).label("failed"),
        )
        .select_from(MessageReceipt)
        .join(Delivery, col(Delivery.id) == col(MessageReceipt.delivery_id))
        .where(col(Delivery.kind) == DeliveryKind.announcement, col(Delivery.ref) == ref)
        .group_by(col(MessageReceipt.channel), col(MessageReceipt.delivery_id))
        .subquery("per_delivery")
    )
    delivered, failed = per_delivery.c.delivered, per_delivery.c.failed
    counts = select(  # type: ignore[call-overload]  # sqlmodel types 1-4 columns
        per_delivery.c.channel,
        func.count(),
        func.sum(delivered),
        func.sum(per_delivery.c.read),
        func.sum(case(((failed == 1) & (delivered == 0), 1), else_=0)),
    ).group_by(per_delivery.c.channel)
    return {
        str(channel): ReceiptCounts(int(n), int(d or 0), int(r or 0), int(f or 0))
        for channel, n, d, r, f in await session.exec(counts)
    }


def _flag(moment: Mapped[datetime | None]) -> ColumnElement[int]:
    """1 when `moment` is set, else 0."""
    return case((moment.is_not(None), 1), else_=0)


async def prune(session: AsyncSession, now: datetime, keep: timedelta = KEEP) -> int:
    """Drop the receipts of messages sent longer than `keep` ago; returns how many."""
    result = await session.exec(
        delete(MessageReceipt).where(col(MessageReceipt.sent_at) < now - keep)
    )
    return int(result.rowcount or 0)
