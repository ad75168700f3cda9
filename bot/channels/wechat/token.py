"""The WeChat access token: one for the whole account, shared by every worker.

WeChat's token lives 7200 s and fetching a new one invalidates the one before, so two workers
that each fetched their own would keep refusing each other's. Hence one token per AppID: in Redis
when REDIS_URL is set, else in this process. It is fetched by one caller at a time (a Redis lock,
or an asyncio lock), refreshed `REFRESH_AHEAD` seconds before it runs out, and replaced when
WeChat refuses it (40001 / 42001 / 40014) — but only if the refused token is still the stored
one: a worker holding an older token must not throw away the fresh token another just fetched.

Interface for the client:
- `await store.get() -> str`: a token good for at least a few more minutes.
- `await store.refused(token) -> str`: WeChat refused `token`; a different, fresh one.
- `await store.close()`: release the Redis client it made.
- `make_token_store(settings, fetch)`: Redis or in-process, by REDIS_URL; `fetch()` gets a new
  token from WeChat as (token, seconds it lives).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from bot.config import Settings

log = logging.getLogger(__name__)

Fetch = Callable[[], Awaitable[tuple[str, float]]]

# Refresh this long before WeChat's expiry: calls in flight and clocks apart still find it good.
REFRESH_AHEAD = 300.0
# A Redis lock outlives a fetch (the client's timeout is 30 s); a crashed holder frees it then.
LOCK_SECONDS = 40.0
POLL_SECONDS = 0.05  # how often a waiting worker looks for the token another is fetching

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class TokenStore(Protocol):
    async def get(self) -> str: ...

    async def refused(self, token: str) -> str: ...

    async def close(self) -> None: ...


def _fresh_for(lifetime: float) -> float:
    """How long a token that lives `lifetime` seconds is used before it is refreshed."""
    return max(lifetime - REFRESH_AHEAD, lifetime / 2)


class LocalTokenStore:
    """The token in this process: one worker, or no Redis."""

    def __init__(self, fetch: Fetch, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._good_until = 0.0

    def _current(self) -> str | None:
        return self._token if self._clock() < self._good_until else None

    async def get(self) -> str:
        token = self._current()
        if token is not None:
            return token
        async with self._lock:
            return self._current() or await self._renew()

    async def refused(self, token: str) -> str:
        async with self._lock:
            current = self._current()
            if current is not None and current != token:
                return current  # another caller replaced it already
            return await self._renew()

    async def close(self) -> None:
        """Nothing to release."""

    async def _renew(self) -> str:
        token, lifetime = await self._fetch()
        self._token, self._good_until = token, self._clock() + _fresh_for(lifetime)
        return token


class RedisTokenStore:
    """The token in Redis under `academy:wechat:<AppID>:token`, kept there only as long as it is
    fresh (the key's expiry, on Redis's clock), fetched under a lock by one worker at a time."""

    def __init__(
        self,
        redis: Redis,
        app_id: str,
        fetch: Fetch,
        *,
        namespace: str = "academy",
        owns_redis: bool = False,
    ) -> None:
        self._redis = redis
        self._owns_redis = owns_redis
        self._fetch = fetch
        self._key = f"{namespace}:wechat:{app_id}:token"
        self._lock_key = f"{self._key}:lock"

    async def close(self) -> None:
        """Close the Redis client when this store made it."""
        if self._owns_redis:
            await self._redis.aclose()

    async def _stored(self) -> str | None:
        value = await self._redis.get(self._key)
        return value.decode() if isinstance(value, bytes) else value

    async def get(self) -> str:
        token = await self._stored()
        if token is not None:
            return token
        return await self._replace(None)

    async def refused(self, token: str) -> str:
        return await self._replace(token)

    async def _replace(self, refused: str | None) -> str:
        """A fresh token other than `refused`: the stored one if it is, else fetched by whoever
        holds the lock while the others wait for it."""
        owner = uuid.uuid4().hex
        while True:
            stored = await self._stored()
            if stored is not None and stored != refused:
                return stored
            locked = await self._redis.set(
                self._lock_key, owner, nx=True, px=int(LOCK_SECONDS * 1000)
            )
            if locked:
                break
            await asyncio.sleep(POLL_SECONDS)
        try:
            stored = await self._stored()  # fetched by another between our look and the lock
            if stored is not None and stored != refused:
                return stored
            token, lifetime = await self._fetch()
            keep = max(1, int(_fresh_for(lifetime) * 1000))
            await self._redis.set(self._key, token, px=keep)
            return token
        finally:
            await self._redis.eval(_RELEASE, 1, self._lock_key, owner)


def make_token_store(settings: Settings, fetch: Fetch) -> LocalTokenStore | RedisTokenStore:
    """The account's token store: shared in Redis when REDIS_URL is set, else this process's."""
    if not settings.redis_url:
        return LocalTokenStore(fetch)
    from redis.asyncio import Redis

    redis = Redis.from_url(settings.redis_url)
    return RedisTokenStore(redis, settings.wechat_app_id, fetch, owns_redis=True)
