"""A channel's phone beside its own id (WhatsApp's wa_id beside the BSUID): kept, changed, and
written only when it differs."""

from __future__ import annotations

from sqlmodel import select

from bot.db.models import Person
from bot.db.phones import remember_phone
from bot.runtime import Runtime


async def test_a_phone_is_kept_changed_and_not_written_again(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        session.add(Person(channel="whatsapp", channel_user_id="MX.1"))
        session.add(Person(channel="telegram", channel_user_id="MX.1"))
        await session.commit()
        assert await remember_phone(session, "whatsapp", "MX.1", "5215550001001")
        assert not await remember_phone(session, "whatsapp", "MX.1", "5215550001001")
        assert await remember_phone(session, "whatsapp", "MX.1", "5215550009999")
        assert not await remember_phone(session, "whatsapp", "MX.404", "5215550001001")
        assert not await remember_phone(session, "whatsapp", "MX.1", "")
        await session.commit()
    async with runtime.sessions() as session:
        phones = {(p.channel, p.channel_phone) for p in await session.exec(select(Person))}
    assert phones == {("whatsapp", "5215550009999"), ("telegram", None)}
