"""The async engine and session factory. One session per update, passed in, never global."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(settings: Settings) -> AsyncEngine:
    """An engine for `settings.database_url`; SQLite gets WAL and foreign keys."""
    if settings.sqlite_path is not None:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    sqlite = settings.database_url.startswith("sqlite")
    # Sessions always end their transaction, so SQLite's extra ROLLBACK on check-in is pure cost.
    options: dict[str, Any] = (
        {"pool_reset_on_return": None}
        if sqlite
        # Connections kept open: a worker handles up to ~40 webhook calls at once, and the
        # default 5 made it open and close a connection for most of them (bench/load.py).
        else {"pool_size": settings.database_pool_size, "max_overflow": 10, "pool_pre_ping": True}
    )
    engine = create_async_engine(settings.database_url, **options)
    if sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
