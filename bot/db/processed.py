"""Updates already applied: a redelivered update (the same channel and ref) is recognised.

The mark is written in the transaction that commits the handler's changes, so an update whose
handler failed, or whose process died before the commit, stays unmarked and its redelivery is
applied. Marks are kept for `KEEP` (Telegram stops redelivering after 24 hours) and then pruned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ProcessedUpdate

KEEP = timedelta(days=3)
REF_LENGTH = 128  # ProcessedUpdate.ref's column


async def already_applied(session: AsyncSession, channel: str, ref: str) -> bool:
    """Whether this update was applied and committed before."""
    found = await session.exec(
        select(ProcessedUpdate.ref).where(
            col(ProcessedUpdate.channel) == channel, col(ProcessedUpdate.ref) == ref[:REF_LENGTH]
        )
    )
    return found.first() is not None


async def mark_applied(session: AsyncSession, channel: str, ref: str, now: datetime) -> bool:
    """Mark the update applied in the session's transaction; False when another transaction
    marked it first (the same update handled twice at once): then roll back."""
    dialect = (await session.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.exec(
        insert(ProcessedUpdate)
        .values(channel=channel, ref=ref[:REF_LENGTH], processed_at=now)
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def forget_old(session: AsyncSession, now: datetime) -> int:
    """Drop the marks older than `KEEP`; returns how many."""
    result = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < now - KEEP)
    )
    return int(result.rowcount or 0)
