"""Which failures mean "the database is away, try the update again" and which do not."""

from __future__ import annotations

import sqlite3

import aiohttp
import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.outage import database_unavailable


async def failure_of(url: str) -> BaseException:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        return error
    finally:
        await engine.dispose()
    raise AssertionError("no failure")


async def test_an_unreachable_server_or_file_is_an_outage(tmp_path) -> None:
    refused = await failure_of("postgresql+asyncpg://postgres@127.0.0.1:1/x")
    assert isinstance(refused, OSError) and database_unavailable(refused)
    with pytest.raises(sqlite3.OperationalError) as missing:
        sqlite3.connect(tmp_path / "gone" / "academy.db")
    assert database_unavailable(exc.OperationalError("SELECT 1", {}, missing.value))
    locked = exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    assert database_unavailable(locked)


async def test_bugs_and_other_failures_are_not(tmp_path) -> None:
    connection = sqlite3.connect(tmp_path / "academy.db")
    with pytest.raises(sqlite3.OperationalError) as bug:
        connection.execute("SELECT * FROM nowhere")
    connection.close()
    assert not database_unavailable(bug.value)
    assert not database_unavailable(exc.OperationalError("SELECT", {}, bug.value))
    assert not database_unavailable(RuntimeError("boom"))
    assert not database_unavailable(FileNotFoundError("media/peach.png"))
    with pytest.raises(aiohttp.ClientConnectorError) as http:
        async with aiohttp.ClientSession() as client, client.get("http://127.0.0.1:1/"):
            pass
    assert not database_unavailable(http.value)  # an HTTP call a handler made
