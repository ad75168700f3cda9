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
