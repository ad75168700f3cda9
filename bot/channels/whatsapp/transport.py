"""The delivery engine's way out through WhatsApp: one Reply to one person, and how it went."""

from __future__ import annotations

import httpx
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError

from bot.channels.whatsapp.capabilities import CHANNEL
from bot.channels.whatsapp.send import send_reply
from bot.core.messages import Reply
from bot.db.models import Person
from bot.scheduling.transport import Outcome, Result

THROUGHPUT = 130429  # the number's 80 messages a second
PAIR_RATE = 131056  # one person: about one message in 6 seconds after a burst
# Seconds to wait before trying again after each limit.
WAIT_AFTER = {THROUGHPUT: 1.0, PAIR_RATE: 6.0}


def outcome_of_error(error: Exception, sent: list[str]) -> Outcome:
    """What a failed send means for the delivery engine. Kept simple here: the network, a 5xx
    and Meta's two rate limits are tried again; every other error is final. (`sent`: what
    left before the error, so its receipts can be counted.)"""
    refs = tuple(sent)
    if isinstance(error, WhatsAppError):
        text = f"{error.code}: {error.message}"[:500]
        status = error.status_code or 0
        if error.code in WAIT_AFTER:
            return Outcome(Result.retry, text, WAIT_AFTER[error.code], message_refs=refs)
        if status >= 500 or error.is_transient:
            return Outcome(Result.retry, text, message_refs=refs)
        return Outcome(Result.failed, text, message_refs=refs)
    return Outcome(Result.retry, str(error)[:500] or type(error).__name__, message_refs=refs)


class WhatsAppTransport:
    channel = CHANNEL

    def __init__(self, wa: WhatsApp) -> None:
        self.wa = wa

    async def send(self, person: Person, reply: Reply) -> Outcome:
        """Send `reply` to `person` (by the id Meta gave them: their BSUID, or their phone)."""
        sent: list[str] = []
        try:
            await send_reply(self.wa, person.channel_user_id, reply, sent)
        except (WhatsAppError, httpx.HTTPError) as error:
            return outcome_of_error(error, sent)
        return Outcome(Result.sent, message_refs=tuple(sent))
