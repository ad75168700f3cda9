"""Payloads no button ever had and command arguments no one should type, sent through the real
pipeline by each kind of person: never the internal-error apology, never silence, and nothing
written that the same message without its damage would not write."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from bot.core.messages import Incoming, Reply
from bot.db.models import Announcement, Cohort, LessonPlan
from bot.handlers import build_router
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings, migrated_runtime

en = Translator("en")
# What a tester typed or forged: too large for the database, digits that are not ASCII (str.isdigit
# and int() take some), signs, nothing at all, and far too much.
HOSTILE = (
    "12345678901234",
    "2147483648",
    "²",
    "١",
    "٣",
    "-1",
    "",
    "x" * 300,
)
# The columns every message may change (when the person was last seen).
VOLATILE = {("people", "last_seen_at")}
# The tables a command writes whatever its argument says: a class named by the argument, a question
# asked in it, a lesson opened, an invite made. Other tables must stay as they were.
COMMAND_WRITES = {
    "newcohort": {"cohorts"},
    # A long number reads as a phone number: a personal matter, passed straight to the lecturer.
    "ask": {"questions", "deliveries"},
    "lesson": {"lesson_progress", "activity_days"},
    "invite_lecturer": {"role_invites"},
    "invite_coordinator": {"role_invites"},
    # A wrong code is an attempt the guessing limits count (docs/security.md, "Join codes").
    "join": {"join_attempts"},
    "start": {"join_attempts", "people"},  # the welcome settles the phone's language
}


class Clock:
    """Ten seconds pass between two messages: no tap counts as a double tap."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=10)
        return self.now


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[Runtime]:
    settings = make_settings(database_url, admin_ids="test:boss", flood_max_messages=10**9)
    runtime = await migrated_runtime(settings)
    runtime.academy.services.clock = Clock()
    try:
        yield runtime
    finally:
        await runtime.close()


async def code_from(inviter: Trainee, command: str) -> str:
    (invite,) = await inviter.send(command)
    return invite.text.rsplit(" ", 1)[-1]


async def press(who: Trainee, payload: str) -> list[Reply]:
    async with who.runtime.sessions() as session:
        who.last = await who.runtime.academy.handle(Incoming.button(who.sender, payload), session)
    return who.last


async def people_and_ids(school: Runtime) -> tuple[dict[str, Trainee], dict[str, object]]:
    """A trainee in a lesson of Li Na's class, Li Na, a coordinator and the admin; the class has
    a draft lesson plan and a draft announcement. Returns them and the ids their buttons carry."""
    boss = Trainee(school, "boss", "Boss", "en")
    coordinator = Trainee(school, "coord", "Cora", "en")
    await coordinator.send(f"/start {await code_from(boss, '/invite_coordinator')}")
    lecturer = Trainee(school, "lec", "Li Na", "en")
    await lecturer.send(f"/start {await code_from(boss, '/invite_lecturer')}")
    await lecturer.send("/newcohort Peaches")
    trainee = Trainee(school, "ana", "Ana", "en")
    async with school.sessions() as session:
        cohort = (await session.exec(select(Cohort))).one()
    await trainee.send(f"/join {cohort.invite_code}")
    await trainee.send("/lesson")
    await press(lecturer, f"plan:new:{cohort.id}")
    await press(lecturer, f"ann:new:{cohort.id}")
    await lecturer.send("Class at six tonight")
    async with school.sessions() as session:
        plan = (await session.exec(select(LessonPlan))).one()
        announcement = (await session.exec(select(Announcement))).one()
    slug = next(iter(school.academy.services.courses["sample"].lessons))
    people = {"trainee": trainee, "lecturer": lecturer, "coordinator": coordinator, "admin": boss}
    return people, {"cid": cohort.id, "pid": plan.id, "aid": announcement.id, "slug": slug}


# Every kind of button the bot makes, in the shape it makes it.
BUTTONS = {
    "coh": (
        *(f"coh:{action}:{{cid}}" for action in ("view", "members", "stuck", "qr", "rotate")),
        *(f"coh:{action}:{{cid}}" for action in ("close", "open", "tz", "course")),
        "coh:tz:{cid}:UTC",
        "coh:course:{cid}:sample",
    ),
    "ann": (
        "ann:new:{cid}",
        "ann:stop:{cid}",
        "ann:send:{cid}:{aid}:now",
        "ann:drop:{cid}:{aid}",
        "ann:off:{cid}:{aid}",
    ),
    "plan": (
        "plan:view:{cid}",
        "plan:new:{cid}",
        "plan:start:{cid}:{pid}:today",
        "plan:day:{cid}:{pid}:1",
        "plan:time:{cid}:{pid}:0800",
        "plan:save:{cid}:{pid}",
        *(f"plan:{action}:{{cid}}:{{pid}}" for action in ("pause", "resume", "cancel", "cancelok")),
    ),
    "les": (
        "les:go",
        "les:next:{slug}:0",
        "les:ans:{slug}:1:0:0",
        "les:retry:{slug}",
        "les:reread:{slug}",
    ),
    "rev": ("rev:1:0:0",),
    "qa": ("qa:read:{slug}", "qa:hand:1"),
    "stats": ("stats:cohort:{cid}", "stats:export:{cid}", "stats:export:all", "stats:all"),
    "lang": ("lang:en",),
    "welcome": ("welcome:en",),
    "help": ("help:reminders", "help:certificate"),
    "forget": ("forget:yes", "forget:no"),
    "rem": ("rem:19:00", "rem:off"),
}


def damaged(shape: str) -> Iterator[str]:
    """`shape` with each field after the prefix made hostile, one missing, one too many, and
    nothing after the prefix at all."""
    prefix, *fields = shape.split(":")
    for index in range(len(fields)):
        for value in HOSTILE:
            yield ":".join([prefix, *fields[:index], value, *fields[index + 1 :]])
    if fields:
        yield ":".join([prefix, *fields[:-1]])
    yield ":".join([prefix, *fields, "1"])
    yield prefix
    yield f"{prefix}:"


async def snapshot(school: Runtime) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, without the columns any message may change."""
    tables: dict[str, list[tuple[object, ...]]] = {}
    async with school.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
            rows = (await connection.execute(sa_select(*columns))).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def what_went_wrong(replies: list[Reply]) -> str | None:
    if not replies:
        return "silence"
    if any(reply.text == en("error.internal") for reply in replies):
        return "error.internal"
    return None


def changed(
    before: dict[str, list[tuple[object, ...]]],
    after: dict[str, list[tuple[object, ...]]],
    allowed: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    return sorted(name for name in before if name not in allowed and before[name] != after[name])


def test_every_button_prefix_has_shapes() -> None:
    assert set(build_router().buttons) == set(BUTTONS)


async def test_damaged_buttons_are_stale_for_everyone(school: Runtime) -> None:
    people, ids = await people_and_ids(school)
    failures = []
    before = await snapshot(school)
    for role, who in people.items():
        for shapes in BUTTONS.values():
            for shape in shapes:
                for payload in damaged(shape.format(**ids)):
                    if problem := what_went_wrong(await press(who, payload)):
                        failures.append(f"{role} {payload[:40]!r}: {problem}")
                # The database is compared once per button shape: a dump per payload took half
                # the test's time. The report names the shape whose damaged payloads wrote.
                after = await snapshot(school)
                if tables := changed(before, after):
                    failures.append(f"{role} {shape!r} damaged: changed {tables}")
                before = after
    assert not failures, f"{len(failures)} damaged buttons went wrong:\n" + "\n".join(failures)


COMMAND_ARGUMENTS = (*HOSTILE, "12345678901234 thank you", "² thank you", "-1 thank you")


async def test_hostile_command_arguments_get_an_answer(school: Runtime) -> None:
    people, _ = await people_and_ids(school)
    failures = []
    before = await snapshot(school)
    for role, who in people.items():
        for command in sorted(build_router().commands):
            for argument in COMMAND_ARGUMENTS:
                if problem := what_went_wrong(await who.send(f"/{command} {argument}")):
                    failures.append(f"{role} /{command} {argument[:30]!r}: {problem}")
            after = await snapshot(school)
            if tables := changed(before, after, COMMAND_WRITES.get(command, set())):
                failures.append(f"{role} /{command} with hostile arguments: changed {tables}")
            before = after
    assert not failures, f"{len(failures)} commands went wrong:\n" + "\n".join(failures)
