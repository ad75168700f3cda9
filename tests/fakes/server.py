"""What the fake servers share: an aiohttp app on a free port of 127.0.0.1, started and stopped
as an async context manager."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from aiohttp import web


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
