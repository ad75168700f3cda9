"""The send limiter's arithmetic with an injected clock: no real waiting."""

from bot.channels.telegram.ratelimit import SendLimiter, TokenBucket


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
