"""The delivery engine's way out through WhatsApp: one scheduled Reply to one person, and how it
went. Inside the person's 24-hour window the reply goes as it is (fitted here); outside it, the
approved template of its purpose (bot/channels/whatsapp/window.py). Every message takes its slot
in the send budget (bot/channels/whatsapp/budget.py); a failed send is read by
bot/channels/whatsapp/errors.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from pywa_async import WhatsApp

from bot.channels.whatsapp.budget import Limiter, within_budget
from bot.channels.whatsapp.capabilities import CAPABILITIES, CHANNEL
from bot.channels.whatsapp.send import send_reply
from bot.channels.whatsapp.window import TemplateMessage, send_in_window, template_params
from bot.core.messages import Reply
from bot.db.models import Person
from bot.db.types import utcnow
from bot.lessons.templates import CourseTemplates
from bot.scheduling.transport import Outcome

T = TypeVar("T")
TemplatesOf = Callable[[Person], CourseTemplates | None]


class WhatsAppTransport:
    channel = CHANNEL
    # The window decides between the reply and a template before fitting: it gets it whole.
    fits_replies = True

    def __init__(
        self,
        wa: WhatsApp,
        limiter: Limiter,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.wa = wa
        self.limiter = limiter
        self.clock = clock
        self.templates_of: TemplatesOf = lambda _person: None  # the runtime's courses, once bound

    def bind(self, templates_of: TemplatesOf) -> None:
        """Where the templates of a person's course come from (the running Academy's courses)."""
        self.templates_of = templates_of

    async def pace(self, to: str, call: Callable[[], Awaitable[T]]) -> T:
        """One message to `to` within the send budget."""
        return await within_budget(self.limiter, to, call)

    async def send(self, person: Person, reply: Reply) -> Outcome:
        """Send `reply` to `person` (by the id Meta gave them: their BSUID, or their phone)."""
        to = person.channel_user_id

        async def send_free(_person: Person, piece: Reply) -> list[str]:
            return await send_reply(self.wa, to, piece, pace=self.pace)

        async def send_template(_person: Person, message: TemplateMessage) -> str:
            language, params = template_params(message)
            sent = await self.pace(
                to, lambda: self.wa.send_template(to, message.name, language, params)
            )
            return str(sent.id)

        return await send_in_window(
            person,
            reply,
            self.clock(),
            templates=self.templates_of(person),
            capabilities=CAPABILITIES,
            send_free=send_free,
            send_template=send_template,
        )
