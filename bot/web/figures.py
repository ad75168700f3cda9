"""How the dashboard's pages write a figure: a share as a whole percent, a score, a day, a
moment (UTC). The same rounding as `academy stats` (`bot.cli.stats.percent`), so a page and the
terminal print the same text for the same number."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypedDict

NONE = "–"  # no figure (no finished quiz, never studied): the same dash as the CLI


def percent(share: float | None) -> str:
    """0.734 -> "73%"; None -> "–"."""
    return NONE if share is None else f"{round(share * 100)}%"


def day(value: date | None) -> str:
    """A day as 2026-03-10; None -> "–"."""
    return NONE if value is None else value.isoformat()


def moment(value: datetime | None) -> str:
    """A moment as 2026-03-10 15:00 (UTC); None -> "–"."""
    return NONE if value is None else value.strftime("%Y-%m-%d %H:%M")


class FigureWriters(TypedDict):
    """What a template needs to write figures (passed to `render`)."""

    percent: Callable[[float | None], str]
    day: Callable[[date | None], str]
    moment: Callable[[datetime | None], str]
    NONE: str


def figures_context() -> FigureWriters:
    return FigureWriters(percent=percent, day=day, moment=moment, NONE=NONE)
