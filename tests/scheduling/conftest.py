"""The delivery engine against the fake Bot API, with an injected clock and no real waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.sending.limiter import SendLimiter
from bot.channels.telegram.app import make_bot
from bot.channels.telegram.transport import TelegramTransport
from bot.db.models import Announcement, Cohort, Membership, Person, TraineeQuestion
from bot.db.types import utcnow
from bot.runtime import Runtime
from bot.runtime.delivery import build_engine
from bot.scheduling import announcements
from bot.scheduling.engine import DeliveryEngine
from tests.conftest import make_settings, migrated_runtime
from tests.fakes.telegram_server import FakeTelegram


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def no_wait(_seconds: float) -> None:
    """The limiter's sleep, made instant: these tests are about outcomes, not pacing."""


async def add_lecturer_and_class(
    session: AsyncSession, invite_code: str, **lecturer: str
) -> tuple[Person, Cohort]:
    """A lecturer (`lecturer`: their fields; channel "test", id "lec" unless given) and their
    class "Peaches" of the sample course, flushed (ids set)."""
    teacher = Person(
        **{"channel": "test", "channel_user_id": "lec", **lecturer, "role": "lecturer"}
    )
    session.add(teacher)
    await session.flush()
    cohort = Cohort(
        name="Peaches",
        course_id="sample",
        timezone="Asia/Shanghai",
        lecturer_id=teacher.id,
        invite_code=invite_code,
    )
    session.add(cohort)
    await session.flush()
    return teacher, cohort


def answered_question(person: Person, language: str, text: str, answer: str) -> TraineeQuestion:
    """A question `person` asked that their lecturer answered."""
    return TraineeQuestion(
        person_id=person.id,
        course_id="sample",
        language=language,
        text=text,
        lecturer_answer=answer,
    )


async def make_class(
    runtime: Runtime, fake: FakeTelegram, size: int, first_id: int = 1000
) -> tuple[Cohort, list[Person], Person]:
    """A class with a lecturer and `size` trainees who all exist on the fake Telegram."""
    async with runtime.sessions() as session:
        lecturer, cohort = await add_lecturer_and_class(
            session,
            "ABCD-EFGH",
            channel="telegram",
            channel_user_id=str(first_id - 1),
            display_name="Lecturer",
            language="en",
        )
        people = [
            Person(
                channel="telegram",
                channel_user_id=str(first_id + n),
                display_name=f"T{n}",
                language="es",
            )
            for n in range(size)
        ]
        session.add_all(people)
        await session.flush()
        session.add_all(Membership(cohort_id=cohort.id, person_id=p.id) for p in people)
        await session.commit()
    fake.user(first_id - 1, "Lecturer")
    for n in range(size):
        fake.user(first_id + n, f"T{n}", language_code="es")
    return cohort, people, lecturer


async def announce_now(runtime: Runtime, cohort: Cohort, author: Person, text: str) -> None:
    """An announcement to the whole class, scheduled for now (its deliveries are due)."""
    async with runtime.sessions() as session:
        announcement = Announcement(cohort_id=cohort.id, author_id=author.id, text=text)
        session.add(announcement)
        await session.flush()
        await announcements.schedule(session, announcement, utcnow())
        await session.commit()


@dataclass
class Rig:
    fake: FakeTelegram
    runtime: Runtime
    engine: DeliveryEngine
    clock: Clock

    async def class_of(self, size: int, *, first_id: int = 1000) -> tuple[Cohort, list[Person]]:
        cohort, people, self.lecturer = await make_class(self.runtime, self.fake, size, first_id)
        return cohort, people


@pytest.fixture
async def rig(database_url: str) -> AsyncIterator[Rig]:
    async with FakeTelegram() as fake:
        settings = make_settings(database_url, bot_token=fake.token, telegram_api_url=fake.base_url)
        runtime = await migrated_runtime(settings)
        clock = Clock()
        runtime.academy.services.clock = clock
        bot = make_bot(settings, SendLimiter(1e6, 1e6, 10**6, sleep=no_wait))
        engine = build_engine(runtime, [TelegramTransport(bot)])
        try:
            yield Rig(fake, runtime, engine, clock)
        finally:
            await bot.session.close()
            await runtime.close()
