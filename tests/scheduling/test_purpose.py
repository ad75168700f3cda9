"""Every kind of scheduled message tells the channel what it is (`Reply.purpose`), so a channel
outside its window (WhatsApp 24 h, WeChat 48 h) can send an approved template instead."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.core.messages import DETAILS, Detail, Purpose, Reply
from bot.db import models
from bot.runtime import Runtime
from bot.scheduling import compose, store
from bot.scheduling import engine as engine_module
from bot.scheduling.engine import DeliveryEngine
from bot.scheduling.transport import Outcome
from tests.scheduling.conftest import add_lecturer_and_class, answered_question


class RecordingChannel:
    """A channel's sending side that keeps what it was given (a fake of a channel)."""

    channel = "test"

    def __init__(self) -> None:
        self.sent: dict[str, list[Reply]] = {}

    async def send(self, person: models.Person, reply: Reply) -> Outcome:
        self.sent.setdefault(person.channel_user_id, []).append(reply)
        return Outcome.ok()


async def test_each_scheduled_message_reaches_the_channel_saying_what_it_is(
    school: Runtime,
) -> None:
    now = school.academy.services.clock()

    def person(user_id: str, **fields: object) -> models.Person:
        return models.Person(channel="test", channel_user_id=user_id, language="en", **fields)

    async with school.sessions() as session:
        lecturer, cohort = await add_lecturer_and_class(
            session, "PURP-OSE1", channel_user_id="lecturer", language="en", display_name="Li Na"
        )
        daily = person("daily", created_at=now - timedelta(days=1))
        nudged = person("nudged", created_at=now - timedelta(days=3))
        pupil = person("pupil", display_name="Ana")
        session.add_all([daily, nudged, pupil])
        await session.flush()
        announcement = models.Announcement(
            cohort_id=cohort.id, author_id=lecturer.id, text="Live class at 8 tonight"
        )
        question = answered_question(
            pupil, "en", "How do I fix my tractor?", "Ask the mechanic in town."
        )
        session.add_all([announcement, question])
        await session.flush()
        local_day = (now + timedelta(hours=8)).date().isoformat()  # the day in Shanghai
        rows = [
            (daily.id, models.DeliveryKind.reminder, "", local_day),
            (nudged.id, models.DeliveryKind.reminder, "", local_day),
            (pupil.id, models.DeliveryKind.lesson, "plan:0", "0"),
            (pupil.id, models.DeliveryKind.announcement, f"ann:{announcement.id}", ""),
            (lecturer.id, models.DeliveryKind.report, f"ann:{announcement.id}", ""),
            (lecturer.id, models.DeliveryKind.question, f"q:{question.id}", ""),
            (pupil.id, models.DeliveryKind.answer, f"q:{question.id}", ""),
        ]
        for person_id, kind, ref, occurrence in rows:
            assert person_id is not None
            await store.enqueue(
                session, [person_id], kind=kind, due_at=now, ref=ref, occurrence=occurrence
            )
        await session.commit()

    channel = RecordingChannel()
    engine = DeliveryEngine(school.sessions, school.academy.services, {"test": channel})
    report = await engine.tick()
    assert report.outcomes == {"sent": 7}
    purposes = {who: [r.purpose for r in replies] for who, replies in channel.sent.items()}
    assert purposes == {
        "daily": [Purpose.reminder],
        "nudged": [Purpose.nudge],
        "pupil": [Purpose.lesson, Purpose.announcement, Purpose.lecturer_answer],
        "lecturer": [Purpose.announcement_report, Purpose.question_for_lecturer],
    }
    # What each is about, for a template sent in its place (all it names, and what a tap opens).
    async with school.sessions() as session:
        ids = {(d.kind, d.person_id): d.id for d in await session.exec(select(models.Delivery))}
    lesson_title = (
        school.academy.services.courses["sample"]
        .lesson(school.academy.services.courses["sample"].lessons[0], "en")
        .title
    )
    about = {
        who: [(dict(r.topic.details), r.topic.opens) for r in replies if r.topic]
        for who, replies in channel.sent.items()
    }
    assert about == {
        "daily": [({Detail.name: "friend"}, "les:go")],
        "nudged": [({Detail.name: "friend"}, "les:go")],
        "pupil": [
            (
                {
                    Detail.name: "Ana",
                    Detail.number: "1",
                    Detail.lesson: lesson_title,
                    Detail.cohort: "",  # no such plan, so no class
                },
                "les:go",
            ),
            (
                {
                    Detail.name: "Ana",
                    Detail.cohort: "Peaches",
                    Detail.first_line: "Live class at 8 tonight",
                },
                f"msg:{ids[models.DeliveryKind.announcement, pupil.id]}",
            ),
            (
                {Detail.name: "Ana", Detail.first_line: "How do I fix my tractor?"},
                f"msg:{ids[models.DeliveryKind.answer, pupil.id]}",
            ),
        ],
        "lecturer": [
            (
                {
                    Detail.name: "Li Na",
                    Detail.cohort: "Peaches",
                    Detail.first_line: "Live class at 8 tonight",
                },
                f"msg:{ids[models.DeliveryKind.report, lecturer.id]}",
            ),
            (
                {
                    Detail.name: "Li Na",
                    Detail.first_line: "How do I fix my tractor?",
                    Detail.asker: "Ana",
                },
                f"msg:{ids[models.DeliveryKind.question, lecturer.id]}",
            ),
        ],
    }
    for replies in channel.sent.values():  # only what its purpose may name
        for reply in replies:
            assert reply.topic is not None
            assert {key for key, _ in reply.topic.details} <= set(DETAILS[reply.purpose])


def test_every_kind_of_scheduled_message_has_a_purpose() -> None:
    # Every kind but the outbox's, which holds answers kept back (they keep their own purpose).
    kinds = set(models.DeliveryKind) - {models.DeliveryKind.reply}
    assert set(compose.PURPOSES) == kinds
    assert Purpose.answer not in compose.PURPOSES.values()  # answers are not scheduled


async def test_one_announcement_composed_once_per_language_is_addressed_to_each_person(
    school: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Twelve trainees in two languages, sent in batches of five by four workers at once.
    async with school.sessions() as session:
        lecturer, cohort = await add_lecturer_and_class(
            session, "ADDR-ESS1", channel_user_id="lecturer", display_name="Li Na"
        )
        pupils = [
            models.Person(
                channel="test",
                channel_user_id=f"p{n}",
                display_name=f"Pupil {n}",
                language="es" if n % 2 else "en",
            )
            for n in range(12)
        ]
        session.add_all(pupils)
        await session.flush()
        announcement = models.Announcement(
            cohort_id=cohort.id, author_id=lecturer.id, text="Live class at 8 tonight"
        )
        session.add(announcement)
        await session.flush()
        await store.enqueue(
            session,
            [p.id for p in pupils if p.id is not None],
            kind=models.DeliveryKind.announcement,
            due_at=school.academy.services.clock(),
            ref=f"ann:{announcement.id}",
        )
        await session.commit()
    composed: list[str] = []

    async def counted(*args: Any) -> Reply | None:
        composed.append(args[3].language)  # (session, services, delivery, person)
        return await compose.compose(*args)

    monkeypatch.setattr(engine_module, "compose", counted)
    channel = RecordingChannel()
    engine = DeliveryEngine(
        school.sessions, school.academy.services, {"test": channel}, batch=5, concurrency=4
    )
    assert (await engine.tick()).outcomes == {"sent": 12}

    assert sorted(composed) == ["en", "es"]  # once per language for the whole tick
    async with school.sessions() as session:
        ids = {d.person_id: d.id for d in await session.exec(select(models.Delivery))}
    for pupil in pupils:
        (reply,) = channel.sent[pupil.channel_user_id]
        assert reply.topic is not None
        assert dict(reply.topic.details)[Detail.name] == pupil.display_name
        assert reply.topic.opens == f"msg:{ids[pupil.id]}"  # their own, not another's
        assert reply.text.endswith("Live class at 8 tonight")
