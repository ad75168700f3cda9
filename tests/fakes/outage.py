"""A database outage on demand, for tests and benches: the running code finds its database
unreachable, then back.

PostgreSQL is reached through a TCP proxy on 127.0.0.1: cutting it closes the open connections
(as a restarting server does) and refuses new ones; restoring listens again on the same port.
SQLite: the database's folder is moved away and the engine's idle connections are dropped, so
opening the file fails ("unable to open database file", as on a lost disk); restoring moves it
back.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine


class DatabaseOutage:
    """`url` is what the code under test must use; `cut()` and `restore()` switch it off and on."""

    def __init__(self, database_url: str) -> None:
        self.target = make_url(database_url)
        self.sqlite = database_url.startswith("sqlite")
        self.url = database_url
        self.engines: list[AsyncEngine] = []
        self.cuts = 0
        self._server: asyncio.Server | None = None
        self._port = 0
        self._pipes: set[asyncio.StreamWriter] = set()
        self._commit_trap = False

    async def start(self) -> str:
        """Start the proxy (PostgreSQL); returns the URL to give the code under test."""
        if not self.sqlite:
            await self._listen()
            self.url = self.target.set(host="127.0.0.1", port=self._port).render_as_string(
                hide_password=False
            )
        return self.url

    def cut_after_next_commit(self) -> None:
        """PostgreSQL: let the next COMMIT reach the server, then cut before its answer comes
        back, so the client cannot know that its transaction was committed."""
        assert not self.sqlite, "SQLite commits in-process: its answer cannot be lost"
        self._commit_trap = True

    def watch(self, engine: AsyncEngine) -> None:
        """An engine whose idle connections must go when the database does (SQLite)."""
        self.engines.append(engine)

    async def cut(self) -> None:
        self.cuts += 1
        if self.sqlite:
            folder = self._folder()
            folder.rename(folder.with_name(folder.name + ".away"))
            for engine in self.engines:
                await engine.dispose()
            return
        assert self._server is not None
        self._server.close()
        for writer in list(self._pipes):
            writer.transport.abort()
        self._pipes.clear()
        await self._server.wait_closed()
        self._server = None

    async def restore(self) -> None:
        if self.sqlite:
            folder = self._folder()
            folder.with_name(folder.name + ".away").rename(folder)
            return
        await self._listen()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._pipes):
                writer.transport.abort()
            await self._server.wait_closed()
        elif self.sqlite and not self._folder().exists():
            away = self._folder().with_name(self._folder().name + ".away")
            if away.exists():
                shutil.move(away, self._folder())

    async def _cut_leaving(self, upstream: asyncio.StreamWriter) -> None:
        """Cut everything but let the server read what was sent on `upstream` first."""
        self._pipes.discard(upstream)
        await self.cut()
        await asyncio.sleep(0.2)
        upstream.close()

    def _folder(self) -> Path:
        return Path(self.target.database or "").parent

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._pipe, "127.0.0.1", self._port)
        self._port = self._server.sockets[0].getsockname()[1]

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(
                self.target.host or "127.0.0.1", self.target.port or 5432
            )
        except OSError:
            writer.transport.abort()
            return
        self._pipes.update((writer, up_writer))

        async def copy(
            source: asyncio.StreamReader, sink: asyncio.StreamWriter, upstream: bool
        ) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
                    if upstream and self._commit_trap and b"COMMIT" in data.upper():
                        self._commit_trap = False
                        await self._cut_leaving(up_writer)
                        return
            sink.transport.abort()

        await asyncio.gather(copy(reader, up_writer, True), copy(up_reader, writer, False))
        self._pipes.difference_update((writer, up_writer))
