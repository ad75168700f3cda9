"""Sending budgets every channel shares: how fast one sender may send, in all and to one person.

A channel describes its limits as a `Budget` and calls `make_limiter(budget, settings)`: the
budget in Redis when REDIS_URL is set (all workers take their slots there), else in this process.
Either limiter offers the same calls: `await acquire(recipient)` before each message,
`pause_chat(recipient, seconds)` and `pause_all(seconds)` when the platform says "too fast" (on
the Redis limiter they are coroutines; `await_pause` takes either).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

from bot.channels.sending.limiter import Budget, SendLimiter

if TYPE_CHECKING:
    from bot.channels.sending.shared import RedisSendLimiter
    from bot.config import Settings

__all__ = ["Budget", "SendLimiter", "await_pause", "make_limiter"]


def make_limiter(budget: Budget, settings: Settings) -> SendLimiter | RedisSendLimiter:
    """The limiter for `budget`: kept in Redis, shared by every worker, when REDIS_URL is set
    (each falls back to its share, rate / WORKERS, while Redis is away); else this process's."""
    if not settings.redis_url:
        return SendLimiter.for_budget(budget)
    from redis.asyncio import Redis

    from bot.channels.sending.shared import RedisSendLimiter

    return RedisSendLimiter(
        Redis.from_url(settings.redis_url),
        budget.name,
        budget.global_rate,
        budget.per_chat_rate,
        budget.per_chat_burst,
        fallback_share=settings.workers,
    )


async def await_pause(result: object) -> None:
    """Wait for a pause call's result when it is a coroutine (the Redis limiter tells Redis)."""
    if inspect.isawaitable(result):
        await result
