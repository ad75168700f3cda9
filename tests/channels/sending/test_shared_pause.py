"""A "too fast" for the whole sender (WhatsApp's 130429) holds back every worker sharing the
budget in Redis, not only the one that was told."""

from __future__ import annotations

import time
import uuid

from redis.asyncio import Redis

from bot.channels.sending.shared import RedisSendLimiter


async def test_pause_all_holds_back_the_other_worker_for_anyone(redis: Redis) -> None:
    namespace = f"whatsapp:{uuid.uuid4().hex}"
    told, other = (
        RedisSendLimiter(redis, namespace, 80.0, 1 / 6, 10, fallback_share=2) for _ in "ab"
    )
    await other.acquire("ana")
    await told.pause_all(0.3)
    started = time.monotonic()
    await other.acquire("someone else")  # a recipient never paused, on the other worker
    assert time.monotonic() - started >= 0.25
