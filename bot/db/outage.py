"""Telling "the database is away for now" from every other failure.

An update that meets an unreachable database (connection refused or reset, PostgreSQL starting
up or shutting down, too many connections, the pool exhausted, an SQLite file locked too long or
unreadable) is not the update's fault: it must be tried again later, not answered with an
apology. Everything else (a bug, a constraint, a syntax error) stays a failure of that update,
so a poisonous update cannot be retried for ever.
"""

from __future__ import annotations

import sqlite3
import traceback

import asyncpg
from sqlalchemy import exc

# SQLite's OperationalError covers bugs too ("no such table", syntax errors): only these are
# the file being busy or out of reach.
_SQLITE_AWAY = ("database is locked", "database is busy", "disk i/o error", "unable to open")
_ASYNCPG_AWAY = (
    asyncpg.exceptions.PostgresConnectionError,  # class 08: connection failures
    asyncpg.exceptions.OperatorInterventionError,  # class 57: shutting down, starting up
    asyncpg.exceptions.InsufficientResourcesError,  # class 53: too many connections, disk full
    asyncpg.exceptions.InterfaceError,  # the connection closed under us
)
_DATABASE_CODE = ("sqlalchemy.", "asyncpg.", "aiosqlite.")


class DatabaseUnavailable(Exception):
    """The database cannot be reached now: try the update again later."""


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database is away, not that the update or
    the code is wrong."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _away(current):
            return True
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and _away(orig):
            return True
        current = current.__cause__ or current.__context__
    return False


def _away(error: BaseException) -> bool:
    if isinstance(error, DatabaseUnavailable | exc.TimeoutError | exc.InterfaceError):
        return True
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, _ASYNCPG_AWAY):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(away in str(error).lower() for away in _SQLITE_AWAY)
    if isinstance(error, exc.OperationalError):
        # SQLite's are judged by their message (above); PostgreSQL's are about the connection.
        return not isinstance(error.orig, sqlite3.Error) and error.orig is not None
    # A refused or reset connection reaches us bare; the same error from an HTTP call a
    # handler made is not the database's.
    return isinstance(error, OSError | TimeoutError) and _raised_in_database(error)


def _raised_in_database(error: BaseException) -> bool:
    modules = (
        str(frame.f_globals.get("__name__", ""))
        for frame, _ in traceback.walk_tb(error.__traceback__)
    )
    return any(module.startswith(_DATABASE_CODE) for module in modules)
