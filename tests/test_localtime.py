"""Local time: reading HH:MM the way the settings, plans and reminder buttons write it, and a
person's (or class's) local day."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.db.models import Cohort, Person
from bot.localtime import DAY, FALLBACK_ZONE, local_day, local_midnight, parse_hhmm, zone_of


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


SHANGHAI_MIDNIGHT = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # 00:00 on 10 March in Shanghai (+8)
MEXICO_MIDNIGHT = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # 00:00 on 10 March in Mexico City (-6)


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        ("Asia/Shanghai", SHANGHAI_MIDNIGHT - timedelta(seconds=1), date(2026, 3, 9)),
        ("Asia/Shanghai", SHANGHAI_MIDNIGHT, date(2026, 3, 10)),
        ("America/Mexico_City", MEXICO_MIDNIGHT - timedelta(seconds=1), date(2026, 3, 9)),
        ("America/Mexico_City", MEXICO_MIDNIGHT, date(2026, 3, 10)),
        # The same instant is already tomorrow ahead of UTC and still today behind it.
        ("Asia/Shanghai", datetime(2026, 3, 9, 20, 0, tzinfo=UTC), date(2026, 3, 10)),
        ("America/Mexico_City", datetime(2026, 3, 9, 20, 0, tzinfo=UTC), date(2026, 3, 9)),
        ("UTC", datetime(2026, 3, 9, 23, 59, tzinfo=UTC), date(2026, 3, 9)),
    ],
)
def test_local_day_turns_at_local_midnight(zone: str, now: datetime, expected: date) -> None:
    assert local_day(zone, now) == expected
    assert local_day(Person(channel="test", channel_user_id="1", timezone=zone), now) == expected


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd"])
def test_an_unknown_zone_counts_as_utc(zone: str) -> None:
    """A stored name this machine does not know must not stop a planner or a handler."""
    now = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    assert zone_of(zone) is FALLBACK_ZONE is UTC
    assert local_day(zone, now) == date(2026, 3, 9)
    assert local_day(zone, now + timedelta(minutes=30)) == date(2026, 3, 10)


def test_a_class_has_a_local_day_too() -> None:
    cohort = Cohort(name="Peaches", course_id="sample", timezone="Asia/Shanghai", invite_code="x")
    assert local_day(cohort, SHANGHAI_MIDNIGHT) == date(2026, 3, 10)


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        ("Asia/Shanghai", SHANGHAI_MIDNIGHT + timedelta(hours=23), SHANGHAI_MIDNIGHT),
        ("Asia/Shanghai", SHANGHAI_MIDNIGHT - timedelta(seconds=1), SHANGHAI_MIDNIGHT - DAY),
        ("America/Mexico_City", MEXICO_MIDNIGHT + timedelta(hours=1), MEXICO_MIDNIGHT),
        (
            "Mars/Olympus_Mons",
            datetime(2026, 3, 9, 12, tzinfo=UTC),
            datetime(2026, 3, 9, tzinfo=UTC),
        ),
        # Clocks went forward at 02:00 on 8 March in New York: that day still began at 00:00 EST.
        (
            "America/New_York",
            datetime(2026, 3, 8, 12, tzinfo=UTC),
            datetime(2026, 3, 8, 5, tzinfo=UTC),
        ),
    ],
)
def test_local_midnight_is_when_the_local_day_began(
    zone: str, now: datetime, expected: datetime
) -> None:
    assert local_midnight(zone, now) == expected
