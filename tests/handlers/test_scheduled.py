"""The button of a template sent in place of a scheduled message shows that message, in full,
to the person it was for, and to no one else."""

from __future__ import annotations

from sqlmodel import select

from bot.core.messages import Incoming, Purpose
from bot.core.payloads import OpenScheduled
from bot.db import models
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.scheduling import store
from tests.conftest import Trainee
from tests.scheduling.conftest import add_lecturer_and_class, answered_question

en = Translator("en")


async def tap(who: Trainee, payload: str) -> list[str]:
    await who._handle(Incoming.button(who.sender, payload))
    return who.texts


async def person_of(school: Runtime, who: Trainee) -> models.Person:
    async with school.sessions() as session:
        return (
            await session.exec(
                select(models.Person).where(models.Person.channel_user_id == who.sender.user_id)
            )
        ).one()


async def test_the_tap_shows_the_announcement_and_the_lecturers_answer(school: Runtime) -> None:
    ana, li = Trainee(school, "ana", "Ana", "en"), Trainee(school, "li", "Li", "en")
    await ana.send("/start")
    await li.send("/start")
    pupil = await person_of(school, ana)
    now = school.academy.services.clock()
    async with school.sessions() as session:
        lecturer, cohort = await add_lecturer_and_class(session, "TAPS-OPEN", display_name="Li Na")
        announcement = models.Announcement(
            cohort_id=cohort.id, author_id=lecturer.id, text="Live class at 8 tonight\nBring photos"
        )
        question = answered_question(
            pupil, "en", "How much for shipping?", "What the courier charges you."
        )
        session.add_all([announcement, question])
        await session.flush()
        assert pupil.id is not None
        for kind, ref in (
            (models.DeliveryKind.announcement, f"ann:{announcement.id}"),
            (models.DeliveryKind.answer, f"q:{question.id}"),
        ):
            await store.enqueue(session, [pupil.id], kind=kind, due_at=now, ref=ref)
        await session.commit()
        rows = {row.kind: row.id for row in await session.exec(select(models.Delivery))}
    assert rows[models.DeliveryKind.announcement] is not None
    opens_announcement = OpenScheduled(rows[models.DeliveryKind.announcement]).pack()
    (text,) = await tap(ana, opens_announcement)
    header = en("announce.header", lecturer="Li Na", cohort="Peaches")
    assert text == f"{header}\nLive class at 8 tonight\nBring photos"
    assert all(r.purpose is Purpose.answer and r.topic is None for r in ana.last)
    answer = OpenScheduled(rows[models.DeliveryKind.answer] or 0).pack()
    (text,) = await tap(ana, answer)
    assert "What the courier charges you." in text
    # Someone else's delivery, or one that does not exist, is a stale button.
    assert await tap(li, opens_announcement) == [en("error.stale_button")]
    assert await tap(ana, OpenScheduled(99999).pack()) == [en("error.stale_button")]
