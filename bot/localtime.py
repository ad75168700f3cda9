"""Wall-clock times in people's and classes' timezones: their zone and local day, HH:MM,
DST-correct instants, quiet hours. Pure time arithmetic: below every package but core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.payloads import whole_number

DAY = timedelta(days=1)
FALLBACK_ZONE = UTC  # for a stored zone name this machine does not know


class Zoned(Protocol):
    """Anything that lives in a timezone: a person, a class."""

    @property
    def timezone(self) -> str: ...


def zone_of(where: Zoned | str) -> tzinfo:
    """The timezone of a person or class (or of a zone name); UTC when the name is unknown, so
    one bad row stops no planner and no handler."""
    name = where if isinstance(where, str) else where.timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return FALLBACK_ZONE


def local_day(where: Zoned | str, now: datetime) -> date:
    """The date the clock shows at `now` where the person (or class) lives: the day their study,
    quota, reminders and plans count in."""
    return now.astimezone(zone_of(where)).date()


def local_midnight(where: Zoned | str, now: datetime) -> datetime:
    """The UTC instant the person's (or class's) local day containing `now` began."""
    zone = zone_of(where)
    return local_instant(now.astimezone(zone).date(), time(0), zone)


def parse_hhmm(text: str) -> time | None:
    """ "19:00" -> time(19, 0); None unless it is a real time of day written HH:MM."""
    hours, sep, minutes = text.strip().partition(":")
    hour, minute = whole_number(hours), whole_number(minutes)  # ASCII digits only, as payloads
    if not sep or hour is None or minute is None or len(minutes) != 2:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def local_instant(day: date, at: time, zone: tzinfo | str) -> datetime:
    """The UTC instant when the local clock in `zone` shows `day` `at`. An ambiguous time (clocks
    going back) is its first occurrence; a time the clocks jumped over is the end of the jump."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
        return first.astimezone(UTC)
    # In a gap, fold=0 reads the time with the offset before the jump (the later instant) and
    # fold=1 with the offset after it (the earlier one): the jump lies between the two.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first.astimezone(UTC)
    low, high = min(low, high), max(low, high)
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


@dataclass(frozen=True)
class QuietHours:
    """Local hours when nothing scheduled is sent: [start, end), may wrap midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """Read the setting: `21:00-08:00` is 21:00 up to (not including) 08:00; an empty or
        unreadable setting, or `off`, means no quiet hours."""
        start, _, end = text.strip().partition("-")
        first, last = parse_hhmm(start), parse_hhmm(end)
        if first is None or last is None:
            return cls(time(0), time(0))
        return cls(first, last)

    def contains(self, local: time) -> bool:
        """Whether a local time of day falls in the quiet hours."""
        local = local.replace(second=0, microsecond=0, tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, instant: datetime, zone: tzinfo | str) -> datetime:
        """`instant`, or the end of the quiet hours it falls in (the next morning at 08:00)."""
        zone = ZoneInfo(zone) if isinstance(zone, str) else zone
        local = instant.astimezone(zone)
        if not self.contains(local.time()):
            return instant
        day = local.date() if local.time() < self.end else local.date() + DAY
        return local_instant(day, self.end, zone)
