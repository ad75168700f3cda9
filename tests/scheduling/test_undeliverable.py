"""A message the platform says can never reach this person (WhatsApp 131026, 131049, 131050)
fails for good, but the person is not taken for having blocked the bot: they may write again."""

from __future__ import annotations

from sqlmodel import select

from bot.core.messages import Reply
from bot.db import models
from bot.runtime import Runtime
from bot.scheduling import store
from bot.scheduling.engine import DeliveryEngine
from bot.scheduling.transport import Outcome, Result
from tests.scheduling.conftest import answered_question


class RefusingChannel:
    """A channel's sending side that answers every message with one outcome."""

    channel = "test"

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.tries = 0

    async def send(self, person: models.Person, reply: Reply) -> Outcome:
        self.tries += 1
        return self.outcome


async def test_undeliverable_fails_the_message_and_leaves_the_person_reachable(
    school: Runtime,
) -> None:
    now = school.academy.services.clock()
    async with school.sessions() as session:
        pupil = models.Person(channel="test", channel_user_id="ana", language="es")
        session.add(pupil)
        await session.flush()
        question = answered_question(
            pupil, "es", "¿Cuánto cobro por el envío?", "Lo que le cobra la paquetería."
        )
        session.add(question)
        await session.flush()
        assert pupil.id is not None
        await store.enqueue(
            session, [pupil.id], kind=models.DeliveryKind.answer, due_at=now, ref=f"q:{question.id}"
        )
        await session.commit()
    channel = RefusingChannel(Outcome(Result.undeliverable, "undeliverable: WhatsApp 131026"))
    engine = DeliveryEngine(school.sessions, school.academy.services, {"test": channel})
    assert (await engine.tick()).outcomes == {"failed": 1}
    async with school.sessions() as session:
        (row,) = await session.exec(select(models.Delivery))
        person = await session.get(models.Person, pupil.id)
    assert (row.status, row.last_error) == (
        models.DeliveryStatus.failed,
        "undeliverable: WhatsApp 131026",
    )
    assert person is not None and person.blocked is False  # unlike Result.blocked
    assert (await engine.tick()).claimed == 0  # not tried again
    assert channel.tries == 1
