"""One access token for the account: two workers sharing it through Redis (or one process on its
own) fetch it once, replace it once when WeChat refuses it, and refresh it before it runs out.
Against the fake WeChat API, whose every fetch invalidates the token before."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.channels.wechat.client import WeChatClient, WeChatError
from bot.channels.wechat.token import REFRESH_AHEAD, LocalTokenStore, RedisTokenStore
from tests.conftest import REDIS_URL
from tests.fakes.wechat_api import FakeWeChatAPI

CALLS = 20


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChatAPI]:
    async with FakeWeChatAPI() as server:
        yield server


@pytest.fixture
def namespace() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
async def workers(
    fake: FakeWeChatAPI, redis: Redis, namespace: str
) -> AsyncIterator[list[WeChatClient]]:
    """Two workers: each its own HTTP session and Redis connection, one token in Redis."""
    made = []
    for _ in range(2):
        client = WeChatClient(fake.app_id, fake.secret, api_url=fake.base_url)
        own_redis = Redis.from_url(REDIS_URL)
        client.tokens = RedisTokenStore(
            own_redis, fake.app_id, client.fetch_token, namespace=namespace, owns_redis=True
        )
        made.append(client)
    yield made
    for client in made:
        await client.close()
    keys = [key async for key in redis.scan_iter(f"{namespace}:*")]
    if keys:
        await redis.delete(*keys)


async def templates_from(clients: list[WeChatClient], count: int = CALLS) -> None:
    """`count` template messages at once, spread over `clients` (templates need no window)."""
    await asyncio.gather(
        *(
            clients[n % len(clients)].send_template(f"o{n}", "TPL", {"thing1": f"第{n}课"})
            for n in range(count)
        )
    )


async def test_two_workers_fetch_one_token_and_replace_it_once(
    fake: FakeWeChatAPI, workers: list[WeChatClient]
) -> None:
    await templates_from(workers)
    assert fake.token_fetches == 1
    assert len(fake.templates) == CALLS
    fake.revoke_token()  # e.g. someone fetched a token with the AppSecret elsewhere
    await templates_from(workers)
    assert fake.token_fetches == 2  # every refusal saw the one new token, no second fetch
    assert fake.count_errors(40001) >= 1
    assert len(fake.templates) == 2 * CALLS


async def test_an_expired_token_is_replaced_once(
    fake: FakeWeChatAPI, workers: list[WeChatClient]
) -> None:
    await templates_from(workers, 2)
    fake.expire_token()
    await templates_from(workers)
    assert fake.token_fetches == 2 and fake.count_errors(42001) >= 1


async def test_a_refusal_of_an_old_token_keeps_the_new_one(
    fake: FakeWeChatAPI, workers: list[WeChatClient]
) -> None:
    first, second = workers
    old = await first.tokens.get()
    fresh = await second.tokens.refused(old)  # the second worker met a refusal first
    assert fresh != old and fake.token == fresh
    # The first worker's call with `old` is refused later: it takes the fresh token, fetches none.
    assert await first.tokens.refused(old) == fresh
    assert fake.token_fetches == 2


async def test_the_token_is_kept_in_redis_until_shortly_before_it_expires(
    fake: FakeWeChatAPI, workers: list[WeChatClient], redis: Redis, namespace: str
) -> None:
    token = await workers[0].tokens.get()
    key = f"{namespace}:wechat:{fake.app_id}:token"
    assert (await redis.get(key)).decode() == token
    ttl = await redis.pttl(key) / 1000
    assert 7200 - REFRESH_AHEAD - 5 < ttl <= 7200 - REFRESH_AHEAD
    await redis.delete(key)  # as Redis does when that time is up
    assert await workers[1].tokens.get() != token
    assert fake.token_fetches == 2


async def test_a_failed_fetch_releases_the_lock(
    fake: FakeWeChatAPI, redis: Redis, namespace: str
) -> None:
    client = WeChatClient(fake.app_id, "wrong secret", api_url=fake.base_url)
    client.tokens = RedisTokenStore(redis, fake.app_id, client.fetch_token, namespace=namespace)
    try:
        with pytest.raises(WeChatError) as refused:
            await client.tokens.get()
        assert refused.value.errcode == 40125
        assert not await redis.exists(f"{namespace}:wechat:{fake.app_id}:token:lock")
    finally:
        await client.close()


async def test_in_one_process_one_token_and_one_replacement(fake: FakeWeChatAPI) -> None:
    async with WeChatClient(fake.app_id, fake.secret, api_url=fake.base_url) as client:
        await templates_from([client])
        assert fake.token_fetches == 1
        fake.revoke_token()
        await templates_from([client])
        assert fake.token_fetches == 2
        assert await client.tokens.refused("an older token") == fake.token
        assert fake.token_fetches == 2


async def test_in_one_process_the_token_is_refreshed_ahead_of_expiry() -> None:
    now = [0.0]
    fetched: list[str] = []

    async def fetch() -> tuple[str, float]:
        fetched.append(f"t{len(fetched) + 1}")
        return fetched[-1], 7200.0

    store = LocalTokenStore(fetch, clock=lambda: now[0])
    assert await store.get() == "t1"
    now[0] = 7200 - REFRESH_AHEAD - 1
    assert await store.get() == "t1"
    now[0] = 7200 - REFRESH_AHEAD
    assert await store.get() == "t2"
    assert fetched == ["t1", "t2"]
