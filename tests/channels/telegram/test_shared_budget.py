"""The sending budget shared through Redis: two workers together stay within one bot's limits."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid

from redis.asyncio import Redis

from bot.channels.sending.shared import RedisSendLimiter
from bot.channels.telegram.app import make_bot
from tests.conftest import REDIS_URL, make_settings
from tests.fakes.telegram_server import FakeTelegram


def worker(redis: Redis, namespace: str, rate: float, per_chat: float = 100.0, burst: int = 3):
    return RedisSendLimiter(redis, namespace, rate, per_chat, burst, fallback_share=2)


def most_in(stamps: list[float], window: float) -> int:
    stamps = sorted(stamps)
    return max(
        sum(1 for other in stamps[i:] if other - start < window) for i, start in enumerate(stamps)
    )


async def test_two_workers_share_one_global_budget(redis: Redis) -> None:
    namespace = uuid.uuid4().hex
    workers = [worker(redis, namespace, 20.0), worker(redis, namespace, 20.0)]
    stamps: list[float] = []

    async def send(number: int) -> None:
        await workers[number % 2].acquire(number)  # a different chat each
        stamps.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(send(n) for n in range(60)))
    took = time.monotonic() - started
    # Redis counts by its clock; ours sees the event loop's jitter, hence 0.9 s (alone, each
    # worker would let 20 through in a second: 40).
    assert most_in(stamps, 0.9) <= 20
    assert took >= 2.4  # 60 at 20/s, not at 2 × 20/s (1.5 s)


async def test_one_chat_is_paced_and_paused_across_workers(redis: Redis) -> None:
    namespace = uuid.uuid4().hex
    one = worker(redis, namespace, 100.0, per_chat=4.0, burst=1)
    two = worker(redis, namespace, 100.0, per_chat=4.0, burst=1)
    stamps: list[float] = []
    for number in range(4):
        await (one if number % 2 else two).acquire(777)
        stamps.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= 0.2  # 4 a second, whichever worker sends
    await one.pause_chat(777, 1.0)  # a 429 with retry_after 1 seen by worker one
    started = time.monotonic()
    await two.acquire(777)
    assert time.monotonic() - started >= 0.9
    started = time.monotonic()
    await two.acquire(778)  # other chats are not paused
    assert time.monotonic() - started < 0.2


async def test_without_redis_a_worker_keeps_sending_at_its_share() -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = worker(unreachable, "x", 20.0)  # two workers: 10/s each
    started = time.monotonic()
    for number in range(12):
        await limiter.acquire(number)
    assert 0.9 <= time.monotonic() - started < 3.0
    await unreachable.aclose()


async def test_two_bots_on_one_budget_get_no_429(redis: Redis) -> None:
    """Two worker processes' bots against a fake that enforces 30 msg/s: no 429 at all."""
    async with FakeTelegram() as fake:
        fake.set_rate_limits(global_per_second=30)
        await redis.delete(*[k async for k in redis.scan_iter("academy:*")] or ["none"])
        settings = make_settings(
            "sqlite+aiosqlite://",
            bot_token=fake.token,
            telegram_api_url=fake.base_url,
            redis_url=REDIS_URL,
            workers=2,
        )
        bots = [make_bot(settings), make_bot(settings)]
        users = [fake.user(1000 + n, f"P{n}") for n in range(90)]
        try:
            started = time.monotonic()
            await asyncio.gather(
                *(bots[n % 2].send_message(u.id, "Hello") for n, u in enumerate(users))
            )
            took = time.monotonic() - started
        finally:
            for bot in bots:
                await bot.session.close()
        # Sends leave at the shared pace, but a loaded machine can bunch two arrivals into the
        # fake's second: at most one 429 from that (each bot alone at 29/s would meet dozens).
        assert fake.too_many_requests <= 1
        assert sum(len(fake.messages(u.id)) for u in users) == 90
        assert took >= 2.5  # 90 at ~29/s; alone each bot would have sent at 29/s
