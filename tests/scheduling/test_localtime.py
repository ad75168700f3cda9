"""Reading HH:MM the way the settings, plans and reminder buttons write it."""

from datetime import time

import pytest

from bot.scheduling.localtime import parse_hhmm


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19:00", time(19, 0)),
        (" 08:05 ", time(8, 5)),
        ("23:59", time(23, 59)),
        ("24:00", None),
        ("19:60", None),
        ("19:5", None),
        ("1900", None),
        ("", None),
        ("²:00", None),  # str.isdigit() takes it and int() then fails
        ("١٩:٠٠", None),  # Arabic-Indic digits: int() reads them, no button of ours has them
        ("-1:00", None),
        ("99999999999:00", None),
    ],
)
def test_only_a_real_time_in_ascii_digits(text: str, expected: time | None) -> None:
    assert parse_hhmm(text) == expected
