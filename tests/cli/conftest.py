"""What the CLI tests share: a fake platform server on an event loop of its own, so a command run
in the test's thread (Typer's runner, its own asyncio.run) can call it over real HTTP."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar


class Startable(Protocol):
    def start(self) -> Awaitable[object]: ...
    def stop(self) -> Awaitable[object]: ...


S = TypeVar("S", bound=Startable)


@contextmanager
def served_in_thread(server: S) -> Iterator[S]:
    """`server` started on a loop in a background thread until the block ends."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)  # type: ignore[arg-type]
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
