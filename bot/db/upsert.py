"""INSERT … ON CONFLICT DO NOTHING on both SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def insert_ignore(session: AsyncSession, model: type[SQLModel], **values: Any) -> None:
    """Insert a row unless one with the same unique key exists (then nothing happens)."""
    dialect = (await session.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(insert(model).values(**values).on_conflict_do_nothing())
