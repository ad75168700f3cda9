"""What the fake servers share: an aiohttp app on a free port of 127.0.0.1, started and stopped
as an async context manager."""

from __future__ import annotations

import random
import socket
from types import TracebackType
from typing import Self

from aiohttp import web

# Ports a test hands to a server that binds later (a runtime's WEBHOOK_PORT) come from below the
# kernel's ephemeral range (32768-60999 on Linux): a port from bind(0) is also what the next
# outgoing connection of the other pass (SQLite and PostgreSQL run side by side) may take before
# the server binds it ("address already in use", seen in CI).
_PORTS = range(20000, 32000)


def free_port() -> int:
    """A port of 127.0.0.1 free now, outside the range outgoing connections draw from."""
    for _ in range(100):
        port = random.choice(_PORTS)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


class LocalServer:
    """Subclasses build their app (`make_app`) and may clean up before the server stops."""

    url_suffix = ""  # appended to http://127.0.0.1:PORT to make base_url
    shutdown_timeout = 1.0

    base_url: str
    _runner: web.AppRunner | None = None

    def make_app(self) -> web.Application:
        raise NotImplementedError

    async def before_stop(self) -> None:
        """Release what the subclass holds (pending requests, its own client)."""

    async def start(self) -> None:
        self._runner = web.AppRunner(
            self.make_app(),
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=self.shutdown_timeout,
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}{self.url_suffix}"

    async def stop(self) -> None:
        await self.before_stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()
