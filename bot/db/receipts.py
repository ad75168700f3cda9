"""Receipts of sent messages: what a channel that reports them (WhatsApp's status web-hooks)
says became of each message, so a lecturer's report and the statistics can count "delivered"
and "read", and someone whose messages are never delivered can be told apart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import MessageReceipt, ReceiptStatus
from bot.db.processed import REF_LENGTH

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


async def apply_receipts(session: AsyncSession, channel: str, receipts: Iterable[Receipt]) -> int:
    """Apply status reports to the messages they name; returns how many messages changed.
    Reports of messages never recorded (sent before receipts were kept, or by another tool on
    the same number) are ignored."""
    by_ref: dict[str, list[Receipt]] = {}
    for receipt in receipts:
        by_ref.setdefault(receipt.message_ref[:REF_LENGTH], []).append(receipt)
    if not by_ref:
        return 0
    found = await session.exec(
        select(MessageReceipt).where(
            col(MessageReceipt.channel) == channel,
            col(MessageReceipt.message_ref).in_(list(by_ref)),
        )
    )
    changed = 0
    for row in found.all():
        before = (row.status, row.delivered_at, row.read_at, row.failed_at)
        for receipt in by_ref[row.message_ref]:
            _apply(row, receipt)
        if (row.status, row.delivered_at, row.read_at, row.failed_at) != before:
            session.add(row)
            changed += 1
    return changed


def _apply(row: MessageReceipt, receipt: Receipt) -> None:
    status = receipt.status
    if status is ReceiptStatus.failed:
        row.failed_at = row.failed_at or receipt.at
        row.error_code = receipt.error_code
    if status in (ReceiptStatus.delivered, ReceiptStatus.read):
        row.delivered_at = row.delivered_at or receipt.at  # read implies delivered
    if status is ReceiptStatus.read:
        row.read_at = row.read_at or receipt.at
    if _RANK[status] > _RANK[row.status] and row.status is not ReceiptStatus.failed:
        row.status = status
