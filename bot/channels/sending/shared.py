"""One sending budget for all workers: a platform's limits are per sender (a Telegram bot, a
WhatsApp business number), not per process.

With REDIS_URL set, every worker takes its send slots from Redis instead of its own memory, so
four workers together still send at most the budget's global rate (Telegram: SEND_RATE_GLOBAL,
WhatsApp: WHATSAPP_SEND_RATE) and one recipient gets at most its per-recipient rate after a
burst. Two Lua scripts run atomically in Redis, on Redis's clock
(the workers' clocks may differ):

- `reserve`: the generic cell rate algorithm, a token bucket stored as one "theoretical arrival
  time" per key. The chat's slot is reserved first, then the global slot from the moment the chat
  slot opens; the worker sleeps until then. Reservations queue (FIFO), as in SendLimiter.
- `window`: at most SEND_RATE_GLOBAL sends in any second, by the times sends really start (a
  sorted set of the last second's sends). A worker that woke late cannot bunch sends up.

Keys expire by themselves shortly after the last send. If Redis fails, the worker logs it and
falls back to its own in-memory limiter at its share of the budget (rate / WORKERS), so messages
still go out and the sum stays within the limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from bot.channels.sending.limiter import SendLimiter

log = logging.getLogger(__name__)

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local global_interval = tonumber(ARGV[1])
local chat_interval = tonumber(ARGV[2])
local chat_tolerance = tonumber(ARGV[3])
local ready = now
if ARGV[4] == '1' then
  local tat = tonumber(redis.call('GET', KEYS[2]) or now)
  if tat < now then tat = now end
  ready = math.max(now, tat - chat_tolerance)
  local next_tat = tat + chat_interval
  redis.call('SET', KEYS[2], next_tat, 'PX', math.ceil((next_tat - now) / 1000) + 1000)
end
local tat = tonumber(redis.call('GET', KEYS[1]) or ready)
if tat < ready then tat = ready end
local next_tat = tat + global_interval
redis.call('SET', KEYS[1], next_tat, 'PX', math.ceil((next_tat - now) / 1000) + 1000)
return tat - now
"""

_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_tat = now + tonumber(ARGV[1]) + tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < until_tat then
  redis.call('SET', KEYS[1], until_tat, 'PX', math.ceil((until_tat - now) / 1000) + 1000)
end
return 0
"""

MICRO = 1_000_000
RETRY_REDIS_AFTER = 30.0  # seconds on the local fallback before trying Redis again


class RedisSendLimiter:
    """SendLimiter's interface (acquire, pause_chat, pause_all, sleep), with the budget kept in
    Redis under `academy:<namespace>:send`."""

    def __init__(
        self,
        redis: Any,  # redis.asyncio.Redis
        namespace: str,
        global_rate: float,
        per_chat_rate: float,
        per_chat_burst: int = 3,
        *,
        fallback_share: int = 1,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.redis = redis
        self.prefix = f"academy:{namespace}:send"
        self.global_interval = round(MICRO / global_rate)
        self.chat_interval = round(MICRO / per_chat_rate)
        self.chat_tolerance = (max(1, per_chat_burst) - 1) * self.chat_interval
        self.window_limit = max(1, int(global_rate))
        self.sleep = sleep
        self._reserve = redis.register_script(_RESERVE)
        self._window = redis.register_script(_WINDOW)
        self._pause = redis.register_script(_PAUSE)
        self.fallback = SendLimiter(
            global_rate / max(1, fallback_share), per_chat_rate, per_chat_burst, sleep=sleep
        )
        self._redis_failed_at: float | None = None

    def _use_redis(self) -> bool:
        failed = self._redis_failed_at
        return failed is None or time.monotonic() - failed >= RETRY_REDIS_AFTER

    def _failed(self, error: Exception) -> None:
        if self._redis_failed_at is None or self._use_redis():
            log.error("Redis send budget unavailable (%s); using this worker's share", error)
        self._redis_failed_at = time.monotonic()

    async def acquire(self, chat_id: int | str | None) -> None:
        """Wait until one more message may go to `chat_id` (None: only the global limit)."""
        if not self._use_redis():
            await self.fallback.acquire(chat_id)
            return
        try:
            wait = await self._reserve(
                keys=[f"{self.prefix}:all", f"{self.prefix}:chat:{chat_id}"],
                args=[
                    self.global_interval,
                    self.chat_interval,
                    self.chat_tolerance,
                    "0" if chat_id is None else "1",
                ],
            )
            if wait > 0:
                await self.sleep(wait / MICRO)
            member = uuid.uuid4().hex
            while (
                room := await self._window(
                    keys=[f"{self.prefix}:window"], args=[self.window_limit, MICRO, member]
                )
            ) > 0:
                await self.sleep(room / MICRO)
            self._redis_failed_at = None
        except Exception as error:  # Redis away: keep sending, within this worker's share
            self._failed(error)
            await self.fallback.acquire(chat_id)

    async def pause_chat(self, chat_id: int | str, seconds: float) -> None:
        """Nothing may go to `chat_id` for `seconds` from any worker (after a 429)."""
        self.fallback.pause_chat(chat_id, seconds)
        await self._pause_key(f"{self.prefix}:chat:{chat_id}", seconds, self.chat_tolerance)

    async def pause_all(self, seconds: float) -> None:
        """Nothing may go to anyone for `seconds` from any worker (the sender is over its
        rate)."""
        self.fallback.pause_all(seconds)
        await self._pause_key(f"{self.prefix}:all", seconds, 0)

    async def _pause_key(self, key: str, seconds: float, tolerance: int) -> None:
        if not self._use_redis():
            return
        try:
            await self._pause(keys=[key], args=[round(seconds * MICRO), tolerance])
        except Exception as error:
            self._failed(error)
