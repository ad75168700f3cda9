"""What the web-hook channels share: reading a signed body whole, within a size limit (the
signature covers the raw bytes, so the body is read before anything is parsed), and the tasks
that handle what a web-hook took after it was answered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # no message or batch of statuses comes near a megabyte


async def read_body(request: web.Request, limit: int = MAX_BODY) -> bytes | None:
    """The raw body, all of it; None when it is over `limit` (said, or as it arrives)."""
    if (request.content_length or 0) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class TrackedTasks:
    """The updates a web-hook channel took (answered 200 at once) and handles in tasks of its
    own: each one tracked until it ends, its failure logged (nobody awaits it), and all of them
    given a grace period at shutdown."""

    def __init__(self, what: str) -> None:
        self.what = what  # for the log: "WhatsApp updates"
        self.tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._logged(work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _logged(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:  # nobody awaits these tasks: say it here
            log.exception("one of the %s failed", self.what)

    async def finish(self, grace: float) -> None:
        """Wait up to `grace` seconds for the tasks in hand; cancel what is left."""
        if not self.tasks:
            return
        _, late = await asyncio.wait(set(self.tasks), timeout=grace)
        for task in late:
            task.cancel()
        if late:
            log.warning("%d %s were still in hand at shutdown", len(late), self.what)
            await asyncio.wait(late, timeout=1.0)
