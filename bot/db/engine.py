"""The async engine and session factory. One session per update, passed in, never global."""

from __future__ import annotations

import os
from pathlib import Path
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


# Statements that change nothing; anything else in a transaction counts as a write (a CTE or a
# savepoint too: erring that way only costs a mark in processed_updates).
_READS = ("SELECT", "PRAGMA")
WROTE = "academy_wrote"  # set in a connection's info once its transaction wrote something


def _note_write(connection: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any) -> None:
    if not statement.lstrip()[:6].upper().startswith(_READS):
        connection.info[WROTE] = True


def _new_transaction(connection: Any) -> None:
    connection.info.pop(WROTE, None)


class DatabaseUnusable(Exception):
    """The database cannot be opened or written where DATABASE_URL says; the message says what
    is wrong and what to do, in one line."""


def prepare_sqlite_file(path: Path) -> None:
    """Make the SQLite file's folder if needed; raises DatabaseUnusable when the folder cannot
    be made or this user may not write there (SQLite also writes its journal beside the file)."""
    folder = path.parent
    what_to_do = "set DATABASE_URL to a file in a folder this user may write to"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise DatabaseUnusable(
            f"Cannot create the database folder {folder} ({reason}): {what_to_do}."
        ) from error
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseUnusable(f"The database folder {folder} is read-only: {what_to_do}.")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseUnusable(
            f"The database file {path} is read-only for this user: give it write permission "
            f"or {what_to_do}."
        )


def make_engine(settings: Settings) -> AsyncEngine:
    """An engine for `settings.database_url`; SQLite gets WAL and foreign keys (and its folder,
    see `prepare_sqlite_file`)."""
    if settings.sqlite_path is not None:
        prepare_sqlite_file(settings.sqlite_path)
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
    event.listen(engine.sync_engine, "before_cursor_execute", _note_write)
    event.listen(engine.sync_engine, "begin", _new_transaction)
    if sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


async def wrote_something(session: AsyncSession) -> bool:
    """Whether the session's transaction has written anything (or has changes still to flush)."""
    if session.new or session.dirty or session.deleted:
        return True
    if not session.in_transaction():
        return False
    return bool((await session.connection()).info.get(WROTE))


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
