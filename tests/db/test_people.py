"""arrival() through a linked account (people.alias_of): the person it belongs to, who takes over
that channel's id; nobody else pays for it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from bot.core.messages import Sender
from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, Person
from bot.db.people import arrival
from bot.runtime import Runtime

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


async def arrive(runtime: Runtime, sender: Sender, ref: str = ""):  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        arrived = await arrival(
            session, sender, ref, now=NOW, default_language="es", default_timezone="UTC"
        )
        await session.commit()
        return arrived


async def test_an_alias_finds_its_person_who_takes_over_its_channel_id(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        person = Person(channel="telegram", channel_user_id="100", display_name="Rosa")
        session.add(person)
        await session.flush()
        alias = Person(
            channel="whatsapp",
            channel_user_id="BSUID.1",
            channel_phone="5215550001",
            alias_of=person.id,
        )
        reply = Delivery(
            person_id=person.id or 0,
            kind=DeliveryKind.reply,
            occurrence="x",
            due_at=NOW,
            status=DeliveryStatus.pending,
        )
        session.add_all([alias, reply])
        await session.commit()
        pid = person.id

    arrived = await arrive(runtime, Sender("whatsapp", "BSUID.1", "Rosa M."))
    assert arrived.person.id == pid
    assert arrived.replies_waiting  # the person's outbox, not the alias's (empty)
    assert arrived.person.display_name == "Rosa M."
    async with runtime.sessions() as session:
        rows = list(await session.exec(select(Person).order_by(col(Person.id))))
    assert [(p.id, p.channel, p.channel_user_id, p.channel_phone, p.alias_of) for p in rows] == [
        (pid, "whatsapp", "BSUID.1", "5215550001", None),
        (pid + 1, "telegram", "100", None, pid),
    ]
    # From then on WhatsApp's id finds the person's own row (no alias on the way); Telegram's
    # finds the alias and swaps back.
    assert (await arrive(runtime, Sender("whatsapp", "BSUID.1"))).person.id == pid
    assert (await arrive(runtime, Sender("telegram", "100"))).person.id == pid
    async with runtime.sessions() as session:
        me = await session.get(Person, pid)
    assert me is not None and (me.channel, me.channel_user_id) == ("telegram", "100")
