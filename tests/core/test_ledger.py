"""The reply budget: 5 messages in the 48 hours after a person's message, 3 in the minute after
a menu click, a follow or a scan (the WeChat-like capabilities); no budget elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.ledger import Ledger, budget_left, opened, spent
from tests.core.channel_capabilities import TELEGRAM_LIKE, WECHAT_LIKE, WHATSAPP_LIKE

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_channels_without_a_budget_have_none() -> None:
    for caps in (TELEGRAM_LIKE, WHATSAPP_LIKE):
        assert budget_left(Ledger(), NOW, caps) is None


def test_nobody_who_never_wrote_can_be_sent_anything() -> None:
    assert budget_left(Ledger(), NOW, WECHAT_LIKE) == 0


def test_a_message_opens_five_for_48_hours() -> None:
    ledger = opened(Ledger(), NOW, WECHAT_LIKE)
    assert budget_left(ledger, NOW, WECHAT_LIKE) == 5
    ledger = spent(ledger, 3)
    assert budget_left(ledger, NOW + timedelta(hours=47, minutes=59), WECHAT_LIKE) == 2
    assert budget_left(spent(ledger, 2), NOW, WECHAT_LIKE) == 0
    assert budget_left(spent(ledger, 9), NOW, WECHAT_LIKE) == 0  # never below 0
    assert budget_left(ledger, NOW + timedelta(hours=48), WECHAT_LIKE) == 0
    assert budget_left(ledger, NOW - timedelta(seconds=1), WECHAT_LIKE) == 0  # clock went back


def test_each_message_starts_again() -> None:
    ledger = spent(opened(Ledger(), NOW, WECHAT_LIKE), 5)
    later = NOW + timedelta(hours=30)
    assert budget_left(ledger, later, WECHAT_LIKE) == 0
    again = opened(ledger, later, WECHAT_LIKE)
    assert again == Ledger(later, by_event=False, spent=0)
    assert budget_left(again, later + timedelta(hours=47), WECHAT_LIKE) == 5


def test_an_event_opens_three_for_one_minute() -> None:
    ledger = opened(Ledger(), NOW, WECHAT_LIKE, by_event=True)
    assert ledger.by_event
    assert budget_left(ledger, NOW + timedelta(seconds=59), WECHAT_LIKE) == 3
    assert budget_left(spent(ledger, 1), NOW, WECHAT_LIKE) == 2
    assert budget_left(ledger, NOW + timedelta(seconds=60), WECHAT_LIKE) == 0


def test_an_event_never_shrinks_a_conversation_s_budget() -> None:
    talking = spent(opened(Ledger(), NOW, WECHAT_LIKE), 1)  # 4 left for 48 h
    click = NOW + timedelta(hours=1)
    assert opened(talking, click, WECHAT_LIKE, by_event=True) == talking
    spent_out = spent(talking, 3)  # 1 left: the click's 3 are more
    after = opened(spent_out, click, WECHAT_LIKE, by_event=True)
    assert after == Ledger(click, by_event=True, spent=0)
    assert budget_left(after, click, WECHAT_LIKE) == 3
