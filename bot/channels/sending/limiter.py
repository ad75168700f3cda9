"""A sending budget in this process: a rate for everything sent and one per recipient.

Channel-neutral: Telegram (~30 msg/s per bot, ~1 msg/s per chat) and WhatsApp (80 msg/s per
business number, about one message per 6 s to one person) each build one `SendLimiter` from their
`Budget`; `bot.channels.sending.shared` keeps the same budget in Redis for several workers.
A sender calls `acquire(recipient)` before each message and, when the platform says "too fast",
`pause_chat(recipient, seconds)` (one person) or `pause_all(seconds)` (the whole number).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Budget:
    """What one sender (a Telegram bot, a WhatsApp business number) may send: `name` tells
    budgets apart in Redis; `global_rate` messages a second in all; `per_chat_rate` a second to
    one recipient after a burst of `per_chat_burst`."""

    name: str
    global_rate: float
    per_chat_rate: float
    per_chat_burst: int


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


# No two sends closer than this share of the global interval (1 / rate). Senders who wake
# together after a stalled event loop would otherwise go at once; a second later the window lets
# the same bunch go again at the same instant, and the platform, whose second is not ours, counts
# both bunches in one second if its clock is a few milliseconds off (130429 / 429). Below 1, so
# that waking a little late now and then is not lost time that adds up.
MIN_GAP_SHARE = 0.8


class SendLimiter:
    """A global bucket and one bucket per chat, a one-second window on real send times and a
    minimum gap between two sends (no bunches)."""

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
        self.min_gap = MIN_GAP_SHARE / global_rate
        self.last_sent = -math.inf
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
        while (room := max(self.global_window.wait(), self._gap())) > 0:
            await self.sleep(room)
        self.global_window.record()
        self.last_sent = self.clock()

    def _gap(self) -> float:
        """Seconds until the minimum gap after the last send has passed (0: now)."""
        wait = self.last_sent + self.min_gap - self.clock()
        return wait if wait > 1e-9 else 0.0

    def pause_chat(self, chat_id: int | str, seconds: float) -> None:
        self._chat(chat_id).pause(seconds)

    def pause_all(self, seconds: float) -> None:
        """Nothing may go to anyone for `seconds` (the whole number is over its rate)."""
        self.global_bucket.pause(seconds)

    @classmethod
    def for_budget(
        cls,
        budget: Budget,
        *,
        share: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> SendLimiter:
        """This process's limiter for `budget`, at `share`'s part of the global rate (one of
        `share` workers that each keep their own)."""
        return cls(
            budget.global_rate / max(1, share),
            budget.per_chat_rate,
            budget.per_chat_burst,
            clock=clock,
            sleep=sleep,
        )
