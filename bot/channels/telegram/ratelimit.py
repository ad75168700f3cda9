"""Flood control on everything the bot sends: Telegram's ~30 msg/s overall and ~1 msg/s per chat.

A request middleware on the bot's session waits for a token before each send, and on a 429 waits
`retry_after` and tries again, so no handler has to think about limits. It also counts every
send attempt by outcome (`academy_sends_total`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, SendChatAction, TelegramMethod
from aiogram.methods.base import TelegramType

from bot import metrics

log = logging.getLogger(__name__)


class TokenBucket:
    """`rate` tokens a second, up to `burst` saved; a reservation may put it in debt (FIFO)."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.updated = clock()

    def reserve(self) -> float:
        """Take one token; returns how long to wait before using it."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def pause(self, seconds: float) -> None:
        """Nothing may pass for `seconds` (after a 429)."""
        self.reserve()
        self.tokens = min(self.tokens, -seconds * self.rate)

    def idle(self) -> bool:
        return self.tokens + (self.clock() - self.updated) * self.rate >= self.burst


class SlidingWindow:
    """At most `limit` events in any `window` seconds, by the times they really happened: if the
    event loop stalls and several sends wake at once, this still keeps them under the limit."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = max(1, limit)
        self.window = window
        self.clock = clock
        self.stamps: deque[float] = deque()

    def wait(self) -> float:
        """Seconds until one more event fits (0: now)."""
        now = self.clock()
        # (a nanosecond's slack: float sums of waits may never reach the window exactly)
        while self.stamps and now - self.stamps[0] >= self.window - 1e-9:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.window - (now - self.stamps[0])

    def record(self) -> None:
        self.stamps.append(self.clock())


class SendLimiter:
    """A global bucket and one bucket per chat, and a one-second window on real send times."""

    def __init__(
        self,
        global_rate: float,
        per_chat_rate: float,
        per_chat_burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        # No saved-up burst overall: on top of the steady rate it would break a 1-second window.
        self.global_bucket = TokenBucket(global_rate, 1, clock)
        self.global_window = SlidingWindow(int(global_rate), 1.0, clock)
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.chats: dict[int | str, TokenBucket] = {}

    def _chat(self, chat_id: int | str) -> TokenBucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            if len(self.chats) > 10_000:
                self.chats = {k: b for k, b in self.chats.items() if not b.idle()}
            bucket = self.chats[chat_id] = TokenBucket(
                self.per_chat_rate, self.per_chat_burst, self.clock
            )
        return bucket

    async def acquire(self, chat_id: int | str | None) -> None:
        """Wait until one more message may go to `chat_id` (None: only the global limit)."""
        if chat_id is not None:
            delay = self._chat(chat_id).reserve()
            if delay > 0:
                await self.sleep(delay)
        delay = self.global_bucket.reserve()
        if delay > 0:
            await self.sleep(delay)
        while (room := self.global_window.wait()) > 0:
            await self.sleep(room)
        self.global_window.record()

    def pause_chat(self, chat_id: int | str, seconds: float) -> None:
        self._chat(chat_id).pause(seconds)


def _chat_of(method: TelegramMethod[Any]) -> int | str | None:
    return getattr(method, "chat_id", None)


def _is_send(method: TelegramMethod[Any]) -> bool:
    """A message to a chat: what Telegram's flood limits count."""
    if isinstance(method, SendChatAction) or _chat_of(method) is None:
        return False
    return type(method).__name__.startswith(("Send", "Edit", "Copy", "Forward"))


class FloodControl(BaseRequestMiddleware):
    """Rate-limits sends, honours `retry_after`, retries brief network and server errors."""

    def __init__(self, limiter: SendLimiter | Any, max_retries: int = 4) -> None:
        self.limiter = limiter
        self.max_retries = max_retries

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not _is_send(method):  # polling, callbacks and the like keep aiogram's own handling
            return await make_request(bot, method)
        chat_id = _chat_of(method)
        assert chat_id is not None
        attempt = 0
        while True:
            await self.limiter.acquire(chat_id)
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as error:
                metrics.count_send("retry_after")
                if attempt >= self.max_retries:
                    raise
                log.warning(
                    "429 on %s: retrying after %ss", type(method).__name__, error.retry_after
                )
                paused = self.limiter.pause_chat(chat_id, error.retry_after)
                if asyncio.iscoroutine(paused):  # the Redis-shared budget tells Redis
                    await paused
            except (TelegramNetworkError, TelegramServerError) as error:
                metrics.count_send("error")
                if attempt >= 2:
                    raise
                log.warning("%s on %s: retrying", error, type(method).__name__)
                await self.limiter.sleep(0.5 * 2**attempt)
            except TelegramForbiddenError:
                metrics.count_send("blocked")
                raise
            except Exception:
                metrics.count_send("error")
                raise
            else:
                metrics.count_send("ok")
                return response
            attempt += 1
