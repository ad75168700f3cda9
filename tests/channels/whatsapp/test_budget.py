"""WhatsApp's sending budget with an injected clock: 80 msg/s per number, one message per 6 s to
one person after a short burst, and "too fast" answers pushing the budget back."""

from __future__ import annotations

import httpx
import pytest
from pywa_async.errors import WhatsAppError

from bot.channels.sending import SendLimiter
from bot.channels.sending.shared import RedisSendLimiter
from bot.channels.whatsapp.budget import (
    PAIR_BURST,
    make_whatsapp_limiter,
    whatsapp_budget,
    within_budget,
)
from bot.config import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def settings(**fields: object) -> Settings:
    return Settings(_env_file=None, whatsapp_phone_number_id="1234567", **fields)  # type: ignore[call-arg]


def limiter(clock: Clock) -> SendLimiter:
    return SendLimiter.for_budget(whatsapp_budget(settings()), clock=clock, sleep=clock.sleep)


def most_in(stamps: list[float], window: float) -> int:
    return max(sum(1 for t in stamps[i:] if t - s < window - 1e-9) for i, s in enumerate(stamps))


def graph_error(code: int) -> WhatsAppError:
    request = httpx.Request("POST", "https://graph.example/v23.0/1234567/messages")
    return WhatsAppError.from_dict(
        {"code": code, "message": "too fast"}, response=httpx.Response(400, request=request)
    )


async def test_eighty_a_second_overall_never_more_in_any_second() -> None:
    clock = Clock()
    budget = limiter(clock)
    stamps = []
    for person in range(800):  # everyone different: only the number's rate applies
        await budget.acquire(f"person-{person}")
        stamps.append(clock.now)
    assert most_in(stamps, 1.0) <= 80
    rate = len(stamps) / stamps[-1]
    assert 0.95 * 80 <= rate <= 80  # at least 95 % of what Meta allows


async def test_one_person_gets_a_short_burst_then_one_message_every_six_seconds() -> None:
    clock = Clock()
    budget = limiter(clock)
    stamps = []
    for _ in range(PAIR_BURST + 5):
        await budget.acquire("ana")
        stamps.append(clock.now)
    assert stamps[PAIR_BURST - 1] < 0.2  # a few taps in a row are answered at once
    assert stamps[PAIR_BURST] == pytest.approx(6.0)  # then one per 6 s from the first
    gaps = [b - a for a, b in zip(stamps[PAIR_BURST:], stamps[PAIR_BURST + 1 :], strict=False)]
    assert gaps == pytest.approx([6.0] * 4)
    start = clock.now
    await budget.acquire("li")  # someone else is not held back by Ana's pace
    assert clock.now - start < 0.1


async def test_a_pair_rate_answer_holds_that_person_back_and_tries_again() -> None:
    clock = Clock()
    budget = limiter(clock)
    answers: list[object] = [graph_error(131056), "wamid.1"]
    calls: list[float] = []

    async def send() -> str:
        calls.append(clock.now)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert await within_budget(budget, "ana", send) == "wamid.1"
    assert calls[1] - calls[0] >= 6.0  # the pair interval before the second try
    start = clock.now
    await budget.acquire("li")  # the rest of the number goes on
    assert clock.now - start < 0.1


async def test_a_throughput_answer_holds_the_whole_number_back() -> None:
    clock = Clock()
    budget = limiter(clock)
    failures = [graph_error(130429)]

    async def send() -> str:
        if failures:
            raise failures.pop()
        return "wamid.2"

    assert await within_budget(budget, "ana", send) == "wamid.2"
    assert clock.now >= 1.0
    paused_until = clock.now
    budget.pause_all(2.0)
    await budget.acquire("li")  # anyone at all waits
    assert clock.now - paused_until >= 2.0


async def test_too_fast_again_and_again_gives_up_with_the_error() -> None:
    clock = Clock()
    budget = limiter(clock)
    tries = 0

    async def send() -> str:
        nonlocal tries
        tries += 1
        raise graph_error(131056)

    with pytest.raises(WhatsAppError) as raised:
        await within_budget(budget, "ana", send, attempts=3)
    assert raised.value.code == 131056 and tries == 3
    assert clock.now >= 6 + 12  # backing off longer each time


async def test_other_errors_are_not_retried_here() -> None:
    clock = Clock()
    tries = 0

    async def send() -> str:
        nonlocal tries
        tries += 1
        raise graph_error(131026)

    with pytest.raises(WhatsAppError):
        await within_budget(limiter(clock), "ana", send)
    assert tries == 1


def test_the_budget_is_the_numbers_and_shared_through_redis_when_set() -> None:
    budget = whatsapp_budget(settings(whatsapp_send_rate=80))
    assert budget.name == "whatsapp:1234567"
    assert budget.per_chat_rate == pytest.approx(1 / 6)
    assert isinstance(make_whatsapp_limiter(settings()), SendLimiter)
    shared = make_whatsapp_limiter(settings(redis_url="redis://127.0.0.1:6379/0", workers=2))
    assert isinstance(shared, RedisSendLimiter)
    assert shared.prefix == "academy:whatsapp:1234567:send"
    assert shared.fallback.global_bucket.rate == pytest.approx(budget.global_rate / 2)
