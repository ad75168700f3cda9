"""What every channel does while the database is away.

A message that meets an unreachable database (`bot.db.outage.database_unavailable`) is tried
again with growing pauses (`pauses`), holding the person's later messages behind it; the
platform already has its answer, so only we can try again. The person is told once per outage
that their message is kept ("error.saved"), however many messages they send meanwhile
(`SavedNotices`).
"""

from __future__ import annotations

from collections.abc import Iterator

# One "your message is saved" per person in this long; the pauses between tries of a message.
OUTAGE_NOTICE_EVERY = 600.0
RETRY_FIRST, RETRY_LONGEST = 0.5, 30.0
REMEMBERED = 10_000  # people the notices remember at most


def pauses() -> Iterator[float]:
    """Seconds to wait before each next try: doubling from RETRY_FIRST up to RETRY_LONGEST."""
    pause = RETRY_FIRST
    while True:
        yield pause
        pause = min(pause * 2, RETRY_LONGEST)


class SavedNotices:
    """Who was told lately that their message is kept; memory stays bounded."""

    def __init__(self) -> None:
        self.told: dict[str, float] = {}  # user id -> when they last got the notice

    def due(self, user: str, now: float) -> bool:
        """Whether `user` should be told at `now` (monotonic seconds); if so, they count as told."""
        if now - self.told.get(user, -OUTAGE_NOTICE_EVERY) < OUTAGE_NOTICE_EVERY:
            return False
        if len(self.told) > REMEMBERED:
            self.told = {u: t for u, t in self.told.items() if now - t < OUTAGE_NOTICE_EVERY}
        self.told[user] = now
        return True
