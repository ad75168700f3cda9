"""The one reader of numbers and fields in payloads and command arguments, and the typed
payloads that pack and parse themselves."""

from __future__ import annotations

import pytest

from bot.core.payloads import (
    LARGEST_NUMBER,
    CohortAction,
    CohortTap,
    CohortZone,
    ExportAll,
    NextCard,
    OpenLesson,
    Payload,
    PlanAction,
    PlanTap,
    PlanTime,
    QuizAnswerTap,
    ReminderAt,
    ReminderZone,
    ReminderZones,
    SendAnnouncement,
    SendWhen,
    StaleButton,
    button_number,
    whole_number,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("7", 7),
        ("007", 7),
        (str(LARGEST_NUMBER), LARGEST_NUMBER),
        (str(LARGEST_NUMBER + 1), None),  # PostgreSQL's integer would refuse it
        ("12345678901234", None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("١", None),  # int() reads it as 1
        ("٣", None),
        ("７", None),  # a full-width 7
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        ("9" * 300, None),
    ],
)
def test_only_ascii_digits_within_the_database_integer(text: str, number: int | None) -> None:
    assert whole_number(text) == number


def test_a_button_number_that_is_none_is_a_stale_button() -> None:
    assert button_number("42") == 42
    with pytest.raises(StaleButton):
        button_number("١")


def test_a_payload_packs_to_the_string_buttons_carried_before() -> None:
    assert OpenLesson().pack() == "les:go"
    assert QuizAnswerTap("prices", 2, 0, 3).pack() == "les:ans:prices:2:0:3"
    assert CohortTap(CohortAction.view, 7).pack() == "coh:view:7"
    assert PlanTap(PlanAction.cancel_confirmed, 7, 3).pack() == "plan:cancelok:7:3"
    assert ReminderAt(8, 0).pack() == "rem:08:00"
    assert ExportAll().pack() == "stats:export:all"


@pytest.mark.parametrize(
    "payload",
    [
        OpenLesson(),
        NextCard("packaging-shipping", 4),
        QuizAnswerTap("prices", 2, 0, 3),
        CohortTap(CohortAction.tz, LARGEST_NUMBER),
        CohortZone(7, "America/Mexico_City"),
        PlanTime(7, 3, "0800"),
        ReminderAt(19, 30),
        SendAnnouncement(1, 2, SendWhen.evening),
    ],
)
def test_parse_reads_back_what_pack_made(payload: Payload) -> None:
    assert type(payload).parse(payload.pack()) == payload


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        (CohortTap, "coh:view"),  # a field missing
        (CohortTap, "coh:view:7:8"),  # one too many
        (CohortTap, "coh:look:7"),  # not an action
        (CohortTap, "coh:view:²"),
        (CohortTap, "coh:view:2147483648"),
        (CohortTap, "coh:view:-1"),
        (CohortTap, "coh:view:"),
        (CohortTap, "cohx:view:7"),
        (NextCard, "les:next::0"),  # an empty text
        (NextCard, "les:next:a:b:0"),  # a separator inside the lesson
        (OpenLesson, "les:go:1"),
        (OpenLesson, "les:gone"),
        (ExportAll, "stats:export:7"),
        (NextCard, "les:next:" + "x" * 60 + ":0"),  # longer than any button carries
    ],
)
def test_anything_pack_would_not_make_is_stale(kind: type[Payload], payload: str) -> None:
    with pytest.raises(StaleButton):
        kind.parse(payload)


def test_pack_refuses_what_cannot_be_read_back() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        NextCard("x" * 60, 1).pack()
    with pytest.raises(ValueError):
        NextCard("a:b", 1).pack()
    with pytest.raises(ValueError):
        NextCard("", 1).pack()
    with pytest.raises(ValueError):
        CohortTap(CohortAction.view, -1).pack()
    with pytest.raises(ValueError):
        CohortTap(CohortAction.view, LARGEST_NUMBER + 1).pack()


def test_shapes_tell_kinds_with_one_prefix_apart() -> None:
    assert ReminderZones.shape() == "rem:tz"
    assert ReminderZone.shape() == "rem:tz:*"
    assert ReminderAt.shape() == "rem:*:*"
    assert CohortZone.shape() == "coh:tz:*:*"
