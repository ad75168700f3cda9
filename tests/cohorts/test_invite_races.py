"""One-time role invites stay one-time when many people open the same one at the same moment:
through the whole pipeline, each in a session of their own, on one engine or on two (two
workers)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlmodel import select

from bot.config import Settings
from bot.db.models import Person, Role
from bot.i18n import Translator
from bot.runtime import Runtime, open_runtime
from tests.conftest import Trainee, make_settings

en = Translator("en")


@dataclass(frozen=True)
class Claims:
    """What N simultaneous claims of one invite came to."""

    lecturers: int  # people whose stored role became lecturer
    granted: int  # "you are now a lecturer" replies
    used: int  # "this invite was already used" replies
    other: int  # anything else (an apology after a crash, ...)


async def concurrent_claims(settings: Settings, n: int, workers: int = 1) -> Claims:
    """N people open one lecturer invite at once, spread over `workers` runtimes (an engine
    each, standing for worker processes) on an already migrated database whose ADMIN_IDS holds
    `test:boss`. Also a benchmark's probe: `claims.lecturers` should be 1."""
    runtimes: list[Runtime] = [await open_runtime(settings) for _ in range(workers)]
    try:
        boss = Trainee(runtimes[0], "boss", "Boss", "en")
        (invite,) = await boss.send("/invite_lecturer")
        code = invite.text.rsplit(" ", 1)[-1]
        people = [Trainee(runtimes[i % workers], f"p{i}", f"P{i}", "en") for i in range(n)]
        answers = await asyncio.gather(*(who.send(f"/join {code}") for who in people))
        texts = [reply.text for replies in answers for reply in replies]
        granted = texts.count(en("role.granted", role=en("role.lecturer")))
        used = texts.count(en("role.used"))
        async with runtimes[0].sessions() as session:
            roles = list(await session.exec(select(Person.role).where(Person.channel == "test")))
        return Claims(roles.count(Role.lecturer), granted, used, len(texts) - granted - used)
    finally:
        for runtime in runtimes:
            await runtime.close()


async def test_thirty_people_opening_one_invite_make_one_lecturer(database_url: str) -> None:
    claims = await concurrent_claims(make_settings(database_url, admin_ids="test:boss"), 30)
    assert claims == Claims(lecturers=1, granted=1, used=29, other=0)


async def test_two_workers_opening_one_invite_make_one_lecturer(database_url: str) -> None:
    settings = make_settings(database_url, admin_ids="test:boss")
    claims = await concurrent_claims(settings, 30, workers=2)
    assert claims == Claims(lecturers=1, granted=1, used=29, other=0)
