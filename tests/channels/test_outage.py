"""The shared outage helpers: doubling pauses with a ceiling, one notice per person and outage."""

from __future__ import annotations

from itertools import islice

from bot.channels import outage
from bot.channels.outage import SavedNotices, pauses


def test_pauses_double_up_to_the_longest() -> None:
    assert list(islice(pauses(), 9)) == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_a_person_is_told_once_per_outage_window() -> None:
    notices = SavedNotices()
    assert notices.due("li", 100.0)
    assert not notices.due("li", 100.0 + outage.OUTAGE_NOTICE_EVERY - 1)
    assert notices.due("wang", 101.0)  # someone else is told all the same
    assert notices.due("li", 100.0 + outage.OUTAGE_NOTICE_EVERY)


def test_memory_stays_bounded(monkeypatch) -> None:
    monkeypatch.setattr(outage, "REMEMBERED", 3)
    notices = SavedNotices()
    for user in range(4):
        assert notices.due(str(user), 0.0)
    assert notices.due("late", outage.OUTAGE_NOTICE_EVERY + 1)  # the old ones are forgotten
    assert set(notices.told) == {"late"}
