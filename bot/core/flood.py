"""Per-person flood control: too many messages in a window get one notice, then silence."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    allow = "allow"
    notify = "notify"
    drop = "drop"


class FloodGuard:
    """Counts each person's messages in a sliding window (in memory: throttling is best effort)."""

    def __init__(
        self,
        max_messages: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_messages = max_messages
        self.window = window_seconds
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._notified: set[str] = set()
        self._checks = 0

    def check(self, key: str) -> Verdict:
        now = self.clock()
        self._checks += 1
        if self._checks % 1000 == 0:
            self.forget_idle()
        stamps = self._seen.setdefault(key, deque())
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        stamps.append(now)
        if len(stamps) <= self.max_messages:
            self._notified.discard(key)
            return Verdict.allow
        if key in self._notified:
            return Verdict.drop
        self._notified.add(key)
        return Verdict.notify

    def forget_idle(self) -> None:
        """Drop people whose window has emptied, so memory stays bounded."""
        now = self.clock()
        idle = [k for k, s in self._seen.items() if not s or now - s[-1] >= self.window]
        for key in idle:
            del self._seen[key]
            self._notified.discard(key)
