"""The router: one handler per key, button kinds told apart by shape, a role declared where a
handler is registered and checked by the pipeline, stale buttons answered in one place."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import select

from bot.core.messages import Incoming, Kind, Sender
from bot.core.payloads import (
    CohortAction,
    CohortTap,
    CohortZone,
    ExportAll,
    ExportCohort,
    Payload,
    ReminderAt,
    ReminderZone,
    ReminderZones,
)
from bot.db.models import Person, Role
from bot.handlers import build_router
from bot.handlers.ask import voice_question
from bot.i18n import Translator
from bot.pipeline.router import Context, HandlerResult, Router

en = Translator("en")
ANA = Sender("test", "1", "Ana", "en")


async def nothing(ctx: Context) -> HandlerResult:
    return None


async def other(ctx: Context) -> HandlerResult:
    return None


async def tapped(ctx: Context, tap: Payload) -> HandlerResult:
    return None


@dataclasses.dataclass(frozen=True)
class Sample(Payload):
    prefix = "sample"
    number: int


def test_the_feature_routers_go_together_without_a_clash() -> None:
    router = build_router()
    assert router.fallback_text is not None and router.fallback_command is not None
    assert router.stale is not None and router.denied is not None
    assert router.kinds[Kind.voice] is voice_question  # the one that transcribes


@pytest.mark.parametrize(
    "register",
    [
        lambda r: r.command("help"),
        lambda r: r.menu("menu.help"),
        lambda r: r.on(Kind.voice),
        lambda r: r.answer_to("announce"),
    ],
)
def test_include_refuses_a_second_handler_for_a_key(register) -> None:
    first, second, root = Router("first"), Router("second"), Router("root")
    register(first)(nothing)
    register(second)(other)
    with pytest.raises(ValueError, match="two handlers"):
        root.include(first, second)


def test_include_refuses_a_second_handler_for_a_payload_kind() -> None:
    first, second, root = Router("first"), Router("second"), Router("root")
    first.button(Sample)(tapped)
    second.button(Sample)(tapped)
    with pytest.raises(ValueError, match="sample:\\*"):
        root.include(first, second)


def test_one_router_refuses_a_second_handler_too() -> None:
    router = Router("one")
    router.command("help")(nothing)
    with pytest.raises(ValueError, match="command 'help'"):
        router.command("help")(other)


def test_include_refuses_a_fallback_set_twice() -> None:
    first, second, root = Router("first"), Router("second"), Router("root")
    first.fallback_text, second.fallback_text = nothing, other
    with pytest.raises(ValueError, match="fallback_text"):
        root.include(first, second)


def test_a_handler_has_one_role() -> None:
    router = Router("one")
    router.command("stats", role=Role.coordinator)(nothing)
    with pytest.raises(ValueError, match="two roles"):
        router.menu("menu.stats", role=Role.lecturer)(nothing)


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ("coh:tz:7", CohortTap),
        ("coh:tz:7:UTC", CohortZone),
        ("rem:tz", ReminderZones),
        ("rem:tz:UTC", ReminderZone),
        ("rem:19:00", ReminderAt),
        ("stats:export:all", ExportAll),
        ("stats:export:7", ExportCohort),
    ],
)
def test_a_payload_goes_to_the_kind_of_its_shape(payload: str, kind: type[Payload]) -> None:
    router = build_router()
    route = router.resolve(Incoming.button(ANA, payload))
    assert route is not None
    assert route.handler is router.buttons[kind.shape()]


def test_a_button_no_kind_reads_is_routed_to_the_stale_answer() -> None:
    router = build_router()
    for payload in ("nope", "coh:view:7:8", "", ":", "les:go:1"):
        route = router.resolve(Incoming.button(ANA, payload))
        assert route is not None and route.handler not in router.buttons.values()


def test_roles_are_declared_where_handlers_are_registered() -> None:
    router = build_router()
    assert router.resolve(Incoming.from_text(ANA, "/stats")).role is Role.coordinator
    assert router.resolve(Incoming.from_text(ANA, "/cohorts")).role is Role.lecturer
    assert router.resolve(Incoming.from_text(ANA, "/invite_coordinator")).role is Role.admin
    assert router.resolve(Incoming.from_text(ANA, "/lesson")).role is None
    tap = Incoming.button(ANA, CohortTap(CohortAction.view, 7).pack())
    assert router.resolve(tap).role is Role.lecturer


async def test_stale_and_refused_answers_have_the_main_menu(runtime, trainee_factory) -> None:
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/start")
    async with runtime.sessions() as session:
        stale = await runtime.academy.handle(Incoming.button(ana.sender, "les:next:x:²"), session)
    assert [r.text for r in stale] == [en("error.stale_button")] and stale[0].menu
    refused = await ana.send("/stats")
    assert [r.text for r in refused] == [en("access.denied")] and refused[0].menu


async def test_a_stale_button_drops_the_question_the_bot_was_waiting_on(
    runtime, trainee_factory
) -> None:
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/start")
    async with runtime.sessions() as session:
        person = (await session.exec(select(Person))).one()
        person.awaiting = "announce:1"
        session.add(person)
        await session.commit()
    async with runtime.sessions() as session:
        await runtime.academy.handle(Incoming.button(ana.sender, "les:next:nowhere:0"), session)
    async with runtime.sessions() as session:
        assert (await session.exec(select(Person))).one().awaiting is None
