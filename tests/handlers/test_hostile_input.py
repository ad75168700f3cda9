"""Payloads no button ever had and command arguments no one should type, sent through the real
pipeline by each kind of person: never the internal-error apology, never silence, and nothing
written that the same message without its damage would not write."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, select

from bot.core import payloads
from bot.core.messages import Incoming, Reply
from bot.core.payloads import Payload
from bot.db.models import Announcement, Cohort, LessonPlan, Role
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
    # Spaces alone ask for a new link code; anything else is a code, counted like /join's.
    "link": {"join_attempts", "link_codes"},
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


# What the fields of a button carry, by field name, in the people_and_ids class: a button of
# every kind the router knows is made from these, so a new kind is covered once its fields are.
FIELD_VALUES: dict[str, object] = {
    "cohort": "{cid}",
    "plan": "{pid}",
    "announcement": "{aid}",
    "lesson": "{slug}",
    "course": "sample",
    "zone": "UTC",
    "language": "en",
    "time": "0800",
    "hour": 19,
    "minute": 0,
    "attempt": 1,
    "card": 0,
    "question": 1,
    "chosen": 0,
    "item": 1,
    "step": 0,
    "day": 1,
    "delivery": 1,
    "entry": 1,  # a lecturer's kept answer (none in this class: a stale button)
    "page": 0,
    "stage": "0123456789abcdef01234567",  # a workbook that waits no more: gone
}


def examples(kind: type[Payload]) -> list[str]:
    """Buttons of `kind` as the bot makes them (one per value of an enum field), with `{cid}`,
    `{pid}`, `{aid}` and `{slug}` to fill in."""
    shapes = [kind.prefix]
    for name, field_type, width in kind.field_types():
        if isinstance(field_type, type) and issubclass(field_type, StrEnum):
            values = [member.value for member in field_type]
        else:
            assert name in FIELD_VALUES, f"say in FIELD_VALUES what {kind.__name__}.{name} holds"
            value = FIELD_VALUES[name]
            values = [str(value).zfill(width) if isinstance(value, int) else str(value)]
        shapes = [f"{shape}:{value}" for shape in shapes for value in values]
    return shapes


def kinds() -> dict[str, type[Payload]]:
    return build_router().payloads


def test_every_kind_of_payload_has_a_handler() -> None:
    made = {
        kind
        for kind in vars(payloads).values()
        if isinstance(kind, type) and issubclass(kind, Payload) and kind is not Payload
    }
    assert made == set(kinds().values())
    for kind in made:
        assert examples(kind)


def damaged(kind: type[Payload], shape: str) -> Iterator[str]:
    """`shape` with each field made hostile, one missing, one too many, and nothing after the
    prefix at all."""
    fields = shape.removeprefix(kind.prefix).split(":")[1:]
    for index in range(len(fields)):
        for value in HOSTILE:
            yield ":".join([kind.prefix, *fields[:index], value, *fields[index + 1 :]])
    if fields:
        yield ":".join([kind.prefix, *fields[:-1]])
        yield f"{kind.prefix}:"
    yield ":".join([kind.prefix, *fields, "1"])


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


async def test_damaged_buttons_are_stale_for_everyone(school: Runtime) -> None:
    people, ids = await people_and_ids(school)
    failures = []
    before = await snapshot(school)
    for role, who in people.items():
        for kind in kinds().values():
            for shape in examples(kind):
                for payload in damaged(kind, shape.format(**ids)):
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


async def test_a_forged_field_of_every_kind_is_stale_and_changes_nothing(school: Runtime) -> None:
    """The admin passes every role, so what answers a hostile field is the one stale answer:
    its words with the main menu, and nothing written."""
    people, ids = await people_and_ids(school)
    admin = people["admin"]
    failures = []
    before = await snapshot(school)
    for kind in kinds().values():
        shape = examples(kind)[0].format(**ids)
        fields = shape.removeprefix(kind.prefix).split(":")[1:]
        for index in range(len(fields)):
            for value in HOSTILE:
                forged = [*fields[:index], value, *fields[index + 1 :]]
                payload = ":".join([kind.prefix, *forged])
                replies = await press(admin, payload)
                if [r.text for r in replies] != [en("error.stale_button")] or not replies[0].menu:
                    failures.append(f"{payload[:50]!r}: {[r.text[:40] for r in replies]}")
        after = await snapshot(school)
        if tables := changed(before, after):
            failures.append(f"{kind.__name__} forged: changed {tables}")
        before = after
    assert not failures, "\n".join(failures)


RANKS = ("trainee", "lecturer", "coordinator", "admin")


async def test_a_role_protected_handler_refuses_every_lower_role(school: Runtime) -> None:
    people, ids = await people_and_ids(school)
    router = build_router()
    protected: list[tuple[Role, str, str]] = []  # the role, how it is reached, what is sent
    for name, handler in router.commands.items():
        if handler in router.roles:
            protected.append((router.roles[handler], "command", f"/{name}"))
    for key, handler in router.menu_items.items():
        if handler in router.roles:
            protected.append((router.roles[handler], "menu", en(key)))
    for shape, handler in router.buttons.items():
        if handler in router.roles:
            kind = router.payloads[shape]
            for example in examples(kind):
                protected.append((router.roles[handler], "button", example.format(**ids)))
    assert {how for _, how, _ in protected} == {"command", "menu", "button"}
    refusal = en("access.denied")
    failures = []
    before = await snapshot(school)
    for role, how, what in protected:
        lower = RANKS[: RANKS.index(role.value)]
        assert lower, f"{what} needs {role}: no one is refused"
        for rank in lower:
            who = people[rank]
            replies = await (press(who, what) if how == "button" else who.send(what))
            if [r.text for r in replies] != [refusal] or not replies[0].menu:
                failures.append(f"{rank} {what!r}: {[r.text[:40] for r in replies]}")
        after = await snapshot(school)
        if tables := changed(before, after):
            failures.append(f"{what!r} refused: changed {tables}")
        before = after
    assert not failures, "\n".join(failures)
