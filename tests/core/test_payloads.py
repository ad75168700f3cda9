"""The one reader of numbers and fields in payloads and command arguments."""

from __future__ import annotations

import pytest

from bot.core.payloads import (
    LARGEST_NUMBER,
    StaleButton,
    button_fields,
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


def test_fields_are_counted() -> None:
    assert button_fields("coh:view:7", 2, 3) == ["view", "7"]
    assert button_fields("coh:tz:7:UTC", 2, 3) == ["tz", "7", "UTC"]
    assert button_fields("qa:hand:", 2) == ["hand", ""]
    for payload in ("coh", "coh:", "coh:view", "coh:view:7:x:y"):
        with pytest.raises(StaleButton):
            button_fields(payload, 2, 3)
