"""Fitting a list of replies to what a channel can show (see `Capabilities`), without knowing
the channel."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.capabilities import Capabilities
from bot.core.messages import Reply


def fit_replies(replies: Sequence[Reply], capabilities: Capabilities) -> list[Reply]:
    """The messages to send for `replies` on a channel with these capabilities."""
    return list(replies)
