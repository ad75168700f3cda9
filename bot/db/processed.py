"""Updates already applied: a redelivered update (the same channel and ref) is recognised (the
look is part of bot.db.people.arrival; the mark is written here).

The mark is written in the transaction that commits the handler's changes, so an update whose
handler failed, or whose process died before the commit, stays unmarked and its redelivery is
applied. Marks are kept for `KEEP` (Telegram stops redelivering after 24 hours) and then pruned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import ProcessedUpdate

KEEP = timedelta(days=3)
REF_LENGTH = 128  # ProcessedUpdate.ref's column


# The mark, per dialect; built once: making a statement costs more Python than running it.
_MARKS = {
    name: dialect.insert(ProcessedUpdate)
    .values(channel=bindparam("channel"), ref=bindparam("ref"), processed_at=bindparam("now"))
    .on_conflict_do_nothing()
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


async def mark_applied(session: AsyncSession, channel: str, ref: str, now: datetime) -> bool:
    """Mark the update applied in the session's transaction; False when another transaction
    marked it first (the same update handled twice at once): then roll back."""
    connection = await session.connection()  # Core: the insert's row count is what matters
    result = await connection.execute(
        _MARKS[connection.dialect.name],
        {"channel": channel, "ref": ref[:REF_LENGTH], "now": now},
    )
    return bool(result.rowcount)


async def forget_old(session: AsyncSession, now: datetime) -> int:
    """Drop the marks older than `KEEP`; returns how many."""
    result = await session.exec(
        delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < now - KEEP)
    )
    return int(result.rowcount or 0)
