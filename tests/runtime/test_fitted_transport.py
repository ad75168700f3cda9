"""The delivery engine's way out to a channel fits every scheduled reply to the channel, unless
the channel's transport fits replies itself (WhatsApp decides on the whole message whether it
goes free or as one template)."""

from __future__ import annotations

from bot.core.messages import Attachment, Reply
from bot.db.models import Person
from bot.runtime.channel import FittedTransport
from bot.scheduling.transport import Outcome
from tests.core.channel_capabilities import WHATSAPP_LIKE

PHOTO_AND_LONG_TEXT = Reply("Clase hoy. " * 200, image=Attachment("a.jpg", ref="media-1"))


class Recording:
    channel = "whatsapp"

    def __init__(self) -> None:
        self.sent: list[Reply] = []

    async def send(self, person: Person, reply: Reply) -> Outcome:
        self.sent.append(reply)
        return Outcome.ok()


class FitsItself(Recording):
    fits_replies = True


async def test_replies_are_fitted_for_a_transport_that_does_not_fit_them() -> None:
    transport = Recording()
    await FittedTransport(transport, WHATSAPP_LIKE).send(Person(), PHOTO_AND_LONG_TEXT)
    assert len(transport.sent) == 2  # the photo, then the text past the caption's limit


async def test_a_transport_that_fits_replies_gets_them_whole() -> None:
    transport = FitsItself()
    await FittedTransport(transport, WHATSAPP_LIKE).send(Person(), PHOTO_AND_LONG_TEXT)
    assert transport.sent == [PHOTO_AND_LONG_TEXT]
