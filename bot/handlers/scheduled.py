"""A tap on the button of a template sent in place of a scheduled message (WhatsApp, outside its
24 h window): the message itself, in full, as it would have been sent.

Payload: bot.core.payloads `OpenScheduled` (`msg:<delivery id>`). Only the person the delivery
was for may open it; anyone else's tap, or a delivery gone or with nothing to say any more, is
stale. Lessons and reminders open the next lesson instead (`OpenLesson`).
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.messages import Purpose
from bot.core.payloads import OpenScheduled, StaleButton
from bot.db.models import Delivery, DeliveryKind
from bot.pipeline.router import Context, HandlerResult, Router
from bot.scheduling.compose import compose

router = Router("scheduled")
# What a template's button may show again; the others open a lesson, or are not scheduled.
SHOWN = frozenset(
    {DeliveryKind.announcement, DeliveryKind.report, DeliveryKind.question, DeliveryKind.answer}
)


@router.button(OpenScheduled)
async def open_scheduled(ctx: Context, tap: OpenScheduled) -> HandlerResult:
    delivery = await ctx.session.get(Delivery, tap.delivery)
    if delivery is None or delivery.person_id != ctx.person.id or delivery.kind not in SHOWN:
        raise StaleButton(str(tap.delivery))
    reply = await compose(ctx.session, ctx.services, delivery, ctx.person)
    if reply is None:
        raise StaleButton(str(tap.delivery))
    return replace(reply, purpose=Purpose.answer, topic=None)  # an answer to the tap now
