"""The phone number a channel gives beside its own id for a person (WhatsApp's wa_id beside the
business-scoped user id), kept on `people.channel_phone`."""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import col, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Person

PHONE_LENGTH = 32  # people.channel_phone's column


async def remember_phone(session: AsyncSession, channel: str, user_id: str, phone: str) -> bool:
    """Keep `phone` as the person's phone on `channel` (in the session's transaction); True
    when it changed. Nothing is written when it is already known or the person is unknown."""
    phone = phone[:PHONE_LENGTH]
    if not phone:
        return False
    result = await session.exec(
        update(Person)
        .where(
            col(Person.channel) == channel,
            col(Person.channel_user_id) == user_id,
            or_(col(Person.channel_phone).is_(None), col(Person.channel_phone) != phone),
        )
        .values(channel_phone=phone)
    )
    return bool(result.rowcount)
