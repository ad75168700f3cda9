"""A throw-away PostgreSQL database for a bench run (shared by the benches that need one)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


async def fresh_postgres(
    server: str, prefix: str = "bench"
) -> tuple[str, Callable[[], Awaitable[None]]]:
    """A new empty database on `server` (an admin URL): its URL, and the coroutine that drops it."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))

    async def drop() -> None:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop
