"""What a channel must offer the delivery engine: send one Reply to one person, say how it went."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.core.messages import Reply
from bot.db.models import Person


class Result(Enum):
    sent = "sent"
    retry = "retry"  # transient: try again later (network, server, flood limit)
    blocked = "blocked"  # the person blocked the bot
    failed = "failed"  # permanent: this message can never be delivered
    # Permanent for this message, but the person did not block the bot and may write again
    # (WhatsApp: not a WhatsApp number, held back by Meta, marketing stopped).
    undeliverable = "undeliverable"


@dataclass(frozen=True)
class Outcome:
    result: Result
    error: str | None = None
    retry_after: float | None = None  # seconds the platform asked us to wait
    # The channel's ids of the messages sent (WhatsApp's wamids), for channels that report
    # whether they were delivered and read (bot/db/receipts.py).
    message_refs: tuple[str, ...] = ()

    @classmethod
    def ok(cls) -> Outcome:
        return cls(Result.sent)


class Transport(Protocol):
    """A channel's sending side (Telegram, the console, WhatsApp). `reply.purpose` says
    what a scheduled message is (a reminder, a lesson of the plan, an announcement...), so a
    channel outside its window can send an approved template for it instead."""

    channel: str

    async def send(self, person: Person, reply: Reply) -> Outcome: ...
