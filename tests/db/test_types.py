"""Statuses and kinds are stored as the plain strings they always were and read back as members."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.db.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    LessonProgress,
    LessonStatus,
    Person,
    Role,
)
from bot.runtime import Runtime

NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)


async def test_members_are_stored_as_their_old_strings_and_read_back_as_members(
    runtime: Runtime,
) -> None:
    async with runtime.sessions() as session:
        person = Person(channel="test", channel_user_id="1", role=Role.lecturer)
        session.add(person)
        await session.flush()
        assert person.id is not None
        session.add(LessonProgress(person_id=person.id, course_id="sample", lesson="good-photos"))
        session.add(Delivery(person_id=person.id, kind=DeliveryKind.reply, due_at=NOW))
        await session.commit()
    async with runtime.sessions() as session:
        raw = (
            await session.exec(
                text(
                    "SELECT people.role, lesson_progress.status, deliveries.kind, deliveries.status"
                    " FROM people JOIN lesson_progress ON lesson_progress.person_id = people.id"
                    " JOIN deliveries ON deliveries.person_id = people.id"
                )
            )
        ).one()
        assert tuple(raw) == ("lecturer", "reading", "reply", "pending")
        assert all(type(value) is str for value in raw)
        person = (await session.exec(select(Person))).one()
        progress = (await session.exec(select(LessonProgress))).one()
        delivery = (await session.exec(select(Delivery))).one()
    assert person.role is Role.lecturer
    assert progress.status is LessonStatus.reading
    assert (delivery.kind, delivery.status) == (DeliveryKind.reply, DeliveryStatus.pending)
    assert delivery.kind is DeliveryKind.reply and delivery.status is DeliveryStatus.pending


async def test_a_value_outside_the_enum_is_refused_on_write(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        session.add(Person(channel="test", channel_user_id="1", role="janitor"))
        with pytest.raises(Exception, match="janitor"):
            await session.commit()
