"""The in-process send limiter's pacing, with an injected clock: no real waiting."""

from __future__ import annotations

import asyncio
import itertools

from bot.channels.sending.limiter import MIN_GAP_SHARE, SendLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def sends_after_a_stall() -> list[float]:
    """Fifteen sends at 10 a second reserved their slots (0.0, 0.1, ... 1.4 s), then the event
    loop stalled until 2 s, so they all wake at once: when each one went, in order."""
    clock = Clock()
    wake = asyncio.Event()

    async def stalled_sleep(seconds: float) -> None:
        if clock.now < 2.0:
            await wake.wait()  # nobody runs until the stall ends
            return
        clock.now += seconds

    limiter = SendLimiter(10, 1000, per_chat_burst=1000, clock=clock, sleep=stalled_sleep)
    sent: list[float] = []

    async def send(chat: int) -> None:
        await limiter.acquire(chat)
        sent.append(clock.now)

    tasks = [asyncio.create_task(send(n)) for n in range(15)]
    await asyncio.sleep(0)
    clock.now = 2.0
    wake.set()
    await asyncio.gather(*tasks)
    return sorted(sent)


async def test_waiters_who_wake_together_after_a_stall_still_fit_the_window() -> None:
    """The window on real send times holds five of them back a second."""
    sent = await sends_after_a_stall()
    first_second = [t for t in sent if 2.0 <= t < 3.0]
    assert len(first_second) <= 10 and len(sent) == 15


async def test_senders_who_wake_together_after_a_stall_go_one_after_another() -> None:
    """They go a gap apart, so no bunch is sent (or echoed a second later by the one-second
    window) for the platform to count in one of its seconds."""
    sent = await sends_after_a_stall()
    gaps = [later - earlier for earlier, later in itertools.pairwise(sent)]
    assert len(sent) == 15 and min(gaps) >= MIN_GAP_SHARE / 10 - 1e-9, gaps


async def test_waking_a_little_late_each_time_does_not_slow_the_rate() -> None:
    clock = Clock()
    sleeps = itertools.count()

    async def late_sleep(seconds: float) -> None:
        # A busy loop wakes every other sender 10 ms late.
        clock.now += seconds + (0.01 if next(sleeps) % 2 else 0.0)

    limiter = SendLimiter(10, 1000, per_chat_burst=1000, clock=clock, sleep=late_sleep)
    for chat in range(100):
        await limiter.acquire(chat)
    assert clock.now < 10.1  # 100 sends at 10 a second, the lateness not added up
