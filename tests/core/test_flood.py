from bot.core.flood import FloodGuard, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_one_notice_then_silence_then_allowed_again() -> None:
    clock = Clock()
    guard = FloodGuard(max_messages=3, window_seconds=10, clock=clock)
    verdicts = [guard.check("ana") for _ in range(6)]
    assert verdicts == [Verdict.allow] * 3 + [Verdict.notify, Verdict.drop, Verdict.drop]
    assert guard.check("ben") is Verdict.allow  # others are not affected
    clock.now = 10.0
    assert guard.check("ana") is Verdict.allow


def test_idle_people_are_forgotten() -> None:
    clock = Clock()
    guard = FloodGuard(max_messages=3, window_seconds=10, clock=clock)
    guard.check("ana")
    clock.now = 11.0
    guard.forget_idle()
    assert guard._seen == {}
