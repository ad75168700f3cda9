"""WhatsApp's sending budget: WHATSAPP_SEND_RATE (80) messages a second per business number,
inbound and outbound together, and about one message every 6 s to one person (the pair rate;
Meta tolerates a short burst and then wants the time paid back).

Interface for the channel:
- `make_whatsapp_limiter(settings)`: the budget (in Redis with REDIS_URL, shared by every worker
  under the phone number id; else this process's), built on bot/channels/sending/.
- `await within_budget(limiter, recipient, call)`: waits for a slot to `recipient` (the
  business-scoped user id or wa_id the message goes to), makes the call, and on 130429 / 131056
  pushes the budget back (the whole number / that person) and tries again, up to `attempts`
  times, like Telegram's FloodControl honours retry_after. Any other error is raised unchanged
  (`bot.channels.whatsapp.errors.classify` reads it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from pywa_async.errors import WhatsAppError

from bot.channels.sending import Budget, await_pause, make_limiter
from bot.channels.whatsapp.errors import NUMBER_BACKOFF, PAIR_BACKOFF, Pause, too_fast
from bot.config import Settings

log = logging.getLogger(__name__)

# Stay a little under the number's rate: Meta counts inbound messages too, and its second is
# not ours (the same headroom as Telegram's).
HEADROOM = 0.97
PAIR_INTERVAL = 6.0  # seconds between two messages to one person, sustained
# A reply and a lesson card, a few taps in a row: well under the burst Meta tolerates, enough
# that a conversation is not held back.
PAIR_BURST = 10
TOO_FAST_ATTEMPTS = 4

T = TypeVar("T")


class Limiter(Protocol):
    """SendLimiter or RedisSendLimiter (bot/channels/sending/)."""

    async def acquire(self, chat_id: int | str | None) -> None: ...

    def pause_chat(self, chat_id: int | str, seconds: float) -> object: ...

    def pause_all(self, seconds: float) -> object: ...


def whatsapp_budget(settings: Settings) -> Budget:
    """The budget of the business number in `settings`."""
    number = settings.whatsapp_phone_number_id or "number"
    return Budget(
        f"whatsapp:{number}",
        settings.whatsapp_send_rate * HEADROOM,
        1 / PAIR_INTERVAL,
        PAIR_BURST,
    )


def make_whatsapp_limiter(settings: Settings) -> Limiter:
    """The sending budget the WhatsApp channel takes a slot from before every message."""
    return make_limiter(whatsapp_budget(settings), settings)


async def push_back(limiter: Limiter, recipient: str, pause: Pause, seconds: float) -> None:
    """After "too fast": nothing more to anyone (the number's rate) or to `recipient` (the pair
    rate) for `seconds`, in every worker sharing the budget."""
    if pause is Pause.number:
        await await_pause(limiter.pause_all(seconds))
    else:
        await await_pause(limiter.pause_chat(recipient, seconds))


async def within_budget(
    limiter: Limiter,
    recipient: str,
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = TOO_FAST_ATTEMPTS,
) -> T:
    """`call()` (one request that sends one message to `recipient`) within the budget; a "too
    fast" answer pushes the budget back and the call is made again, at most `attempts` times in
    all, then its error is raised."""
    attempt = 1
    while True:
        await limiter.acquire(recipient)
        try:
            return await call()
        except WhatsAppError as error:
            pause = too_fast(error)
            if pause is None or attempt >= attempts:
                raise
            first = NUMBER_BACKOFF if pause is Pause.number else PAIR_BACKOFF
            seconds = first * 2 ** (attempt - 1)
            log.warning("WhatsApp %s: holding back the %s %.0f s", error.code, pause, seconds)
            await push_back(limiter, recipient, pause, seconds)
        attempt += 1
