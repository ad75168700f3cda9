"""The engine keeps the message ids a channel sent, for the receipts that come back later; the
tick prunes old receipts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.core.messages import Reply
from bot.db.models import Delivery, Membership, MessageReceipt, Person
from bot.db.receipts import record_sent
from bot.scheduling.transport import Outcome, Result
from tests.scheduling.conftest import Rig
from tests.scheduling.test_engine import announce


class WhatsAppLike:
    """A channel that answers with the ids of what it sent (two messages each: a template and
    the text, say); "busy" gets a transient failure the first time, after one message went."""

    channel = "whatsapp"

    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}

    async def send(self, person: Person, reply: Reply) -> Outcome:
        who = person.channel_user_id
        self.attempts[who] = attempt = self.attempts.get(who, 0) + 1
        ref = f"wamid.{who}.{attempt}"
        if person.display_name == "busy" and attempt == 1:
            return Outcome(Result.retry, error="131056", retry_after=6, message_refs=(ref,))
        return Outcome(Result.sent, message_refs=(ref, ref + "b"))


async def receipts(rig: Rig) -> list[tuple[str, int, int | None, str, datetime]]:
    async with rig.runtime.sessions() as session:
        found = await session.exec(select(MessageReceipt).order_by(MessageReceipt.message_ref))
        return [(r.message_ref, r.person_id, r.delivery_id, r.status, r.sent_at) for r in found]


async def test_sent_messages_are_recorded_with_their_delivery(rig: Rig) -> None:
    cohort, _ = await rig.class_of(2)  # two on Telegram: no ids come back from it
    async with rig.runtime.sessions() as session:
        rosa = Person(channel="whatsapp", channel_user_id="520", display_name="Rosa")
        busy = Person(channel="whatsapp", channel_user_id="521", display_name="busy")
        session.add_all([rosa, busy])
        await session.flush()
        session.add_all(Membership(cohort_id=cohort.id, person_id=p.id) for p in (rosa, busy))
        await session.commit()
    rig.engine.transports["whatsapp"] = WhatsAppLike()
    await announce(rig, cohort.id, "Market day")
    first = rig.clock.now
    assert (await rig.engine.tick()).outcomes == {"sent": 3, "pending": 1}
    async with rig.runtime.sessions() as session:
        ids = {d.person_id: d.id for d in await session.exec(select(Delivery))}
    # Only what was marked sent: the retried row is recorded when it is sent again.
    assert await receipts(rig) == [
        ("wamid.520.1", rosa.id, ids[rosa.id], "sent", first),
        ("wamid.520.1b", rosa.id, ids[rosa.id], "sent", first),
    ]
    rig.clock.advance(seconds=7)
    assert (await rig.engine.tick()).outcomes == {"sent": 1}
    assert (await receipts(rig))[2:] == [
        ("wamid.521.2", busy.id, ids[busy.id], "sent", rig.clock.now),
        ("wamid.521.2b", busy.id, ids[busy.id], "sent", rig.clock.now),
    ]


async def test_the_tick_prunes_receipts_older_than_ninety_days(rig: Rig) -> None:
    _, (person, *_) = await rig.class_of(1)
    async with rig.runtime.sessions() as session:
        await record_sent(session, "whatsapp", ["old"], person.id, rig.clock.now)
        await record_sent(
            session, "whatsapp", ["new"], person.id, rig.clock.now + timedelta(days=2)
        )
        await session.commit()
    rig.clock.advance(days=91)
    await rig.engine.tick()
    async with rig.runtime.sessions() as session:
        left = list(await session.exec(select(MessageReceipt.message_ref)))
    assert left == ["new"]
