"""The reply budget of a channel that limits what the bot may send after each thing a person does
(WeChat: 5 messages in the 48 hours after a message, 3 in the minute after a menu click, a follow
or a QR scan; `Capabilities.replies_per_message`, `window_hours`, `replies_per_event`,
`event_window_seconds`).

A `Ledger` is what is kept per person (columns of `people`, written by bot.db.ledger): when the
current allowance opened, whether an event opened it, and how many messages went out since. These
functions are pure: the channel reads the ledger, asks `budget_left`, sends that many (see
bot.core.fitting.spend), and records what it sent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.capabilities import Capabilities


@dataclass(frozen=True)
class Ledger:
    """A person's allowance: opened at `opened_at` (None: never) by a message, or by an event
    (`by_event`), and `spent` messages sent since."""

    opened_at: datetime | None = None
    by_event: bool = False
    spent: int = 0


def budget_left(ledger: Ledger, now: datetime, capabilities: Capabilities) -> int | None:
    """How many messages the channel may still send the person at `now`; None when the channel
    has no such budget (Telegram, WhatsApp: their limits are elsewhere). 0 once the allowance
    is spent or its time is over: then only a template (or their next message) reaches them."""
    per_message = capabilities.replies_per_message
    if per_message is None:
        return None
    if ledger.opened_at is None:
        return 0
    allowed, lasts = _allowance(capabilities, by_event=ledger.by_event)
    if now >= ledger.opened_at + lasts or now < ledger.opened_at:
        return 0
    return max(allowed - ledger.spent, 0)


def opened(
    ledger: Ledger, now: datetime, capabilities: Capabilities, *, by_event: bool = False
) -> Ledger:
    """The ledger after the person wrote (or, `by_event`, clicked a menu item, followed the
    account or scanned a code) at `now`. A message always opens a fresh allowance; an event
    keeps the current one when that leaves at least as much as the event's own would (WeChat
    gives the event's minute on top of a conversation, never in place of it)."""
    if by_event and capabilities.replies_per_event is not None:
        left = budget_left(ledger, now, capabilities) or 0
        if left >= capabilities.replies_per_event:
            return ledger
        return Ledger(now, by_event=True, spent=0)
    return Ledger(now, by_event=False, spent=0)


def spent(ledger: Ledger, messages: int) -> Ledger:
    """The ledger after `messages` more were sent."""
    return replace(ledger, spent=ledger.spent + messages)


def _allowance(capabilities: Capabilities, *, by_event: bool) -> tuple[int, timedelta]:
    if by_event and capabilities.replies_per_event is not None:
        return capabilities.replies_per_event, timedelta(seconds=capabilities.event_window_seconds)
    assert capabilities.replies_per_message is not None
    hours = capabilities.window_hours if capabilities.window_hours is not None else 48
    return capabilities.replies_per_message, timedelta(hours=hours)
