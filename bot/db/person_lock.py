"""One update at a time per person across worker processes: a PostgreSQL advisory lock.

Several webhook workers may get two updates of the same person at once (a double tap reaches two
workers). Before anything of the person is read, the update's transaction takes
`pg_advisory_xact_lock` on a 64-bit key made from the person's channel and id; the other update
waits on the database until the first one commits or rolls back. The lock needs no table and no
clean-up: PostgreSQL drops it with the transaction, also when a worker dies. Inside one process
the channel's KeyedLock already orders updates, so the database lock is only ever contended
between processes. SQLite runs one process (it refuses several workers), so there it does
nothing.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Sender

_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def person_key(channel: str, user_id: str) -> int:
    """A signed 64-bit key for `channel:user_id` (advisory locks take a bigint)."""
    digest = hashlib.blake2b(f"{channel}:{user_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def locks_people(session: AsyncSession) -> bool:
    """Whether this database serialises a person's updates (PostgreSQL)."""
    return session.get_bind().dialect.name == "postgresql"


async def lock_person(session: AsyncSession, sender: Sender) -> None:
    """Wait until no other transaction handles `sender`; held until this one ends."""
    if locks_people(session):
        key = person_key(sender.channel, sender.user_id)
        await session.exec(_LOCK.bindparams(key=key))  # type: ignore[call-overload]
