"""The send limiter's arithmetic with an injected clock: no real waiting."""

from bot.channels.sending.limiter import SendLimiter, TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_bucket_allows_a_burst_then_spaces_reservations() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)
    assert [bucket.reserve() for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 2.0]
    clock.now = 10.0
    assert bucket.reserve() == 0.0


def test_pause_holds_everything_for_retry_after() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=1.0, burst=3, clock=clock)
    bucket.pause(5)
    assert bucket.reserve() >= 5.0


async def test_thirty_a_second_overall_and_one_a_second_per_chat() -> None:
    clock = Clock()
    limiter = SendLimiter(30, 1, per_chat_burst=1, clock=clock, sleep=clock.sleep)
    for chat in range(90):  # 90 different chats: only the global limit applies
        await limiter.acquire(chat)
    assert 2.9 <= clock.now <= 3.1
    start = clock.now
    for _ in range(5):  # one chat: one a second
        await limiter.acquire("one chat")
    assert 3.9 <= clock.now - start <= 4.1


async def test_a_stalled_loop_never_lets_a_burst_through_the_one_second_window() -> None:
    clock = Clock()
    limiter = SendLimiter(10, 1000, per_chat_burst=1000, clock=clock, sleep=clock.sleep)
    sent: list[float] = []
    for n in range(40):
        if n == 15:
            clock.now += 0.5  # the event loop was busy: everyone waiting wakes late, at once
        await limiter.acquire(n)
        sent.append(clock.now)
    for i, start in enumerate(sent):
        in_window = [t for t in sent[i:] if t < start + 1.0]
        assert len(in_window) <= 10, (start, in_window)


async def test_waiters_who_wake_together_after_a_stall_still_fit_the_window() -> None:
    """Fifteen sends reserved their slots (0.0, 0.1, ... 1.4 s), then the loop stalled until 2 s:
    they all wake at once, and the window on real send times holds five of them back a second."""
    import asyncio

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
    first_second = [t for t in sent if 2.0 <= t < 3.0]
    assert len(first_second) <= 10 and len(sent) == 15
