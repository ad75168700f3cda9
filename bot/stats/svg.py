"""The dashboard's charts as inline SVG, drawn on the server: no JavaScript, a few KB each.

Both charts scale to the width of their container (a `viewBox` 360 units wide, the width of a
small phone, and at most 40rem on a laptop), carry a `<title>` and a `<desc>` (read by screen
readers through `role="img"` and `aria-labelledby`), write every figure as text beside its bar (so
nothing depends on colour or hovering), and give each bar its own `<title>` too. Every word comes
from the caller (`SvgLabels`, from the catalogs: `bot.stats.labels.svg_labels`); every text is
escaped. A page may show a table of the same figures as well.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.stats.model import LessonCompletion
from bot.stats.views import Activity

WIDTH = 360  # viewBox units: one per CSS pixel on a 360 px phone
PAD = 8
FONT = 13
LABEL_COLUMNS = 46  # a lesson label's display columns (a Chinese character takes two)
BAR = "#1f6f43"  # contrast 6.6:1 on white
TRACK = "#e4e4e4"
INK = "#1a1a1a"
FAMILY = "system-ui,-apple-system,'Noto Sans CJK SC','Noto Sans',sans-serif"


@dataclass(frozen=True)
class SvgLabels:
    """Words on the charts, translated by the caller, as format strings."""

    completion_title: str  # "Trainees who passed each lesson"
    completion_desc: str  # "… of the {enrolled} trainees …"
    completion_bar: str  # "{number}. {title}: {passed} ({percent})"
    activity_title_week: str  # "Active trainees per week"
    activity_title_day: str  # "Active trainees per day"
    activity_desc: str  # "… among {enrolled} trainees … from {start} to {end}"
    activity_point: str  # "{start} to {end}: {active}"


def char_columns(char: str) -> int:
    """The display columns of one character: two for a wide (Chinese) one (the PNG charts' and
    the SVG charts' labels are cut by it)."""
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _columns(text: str) -> int:
    """How many display columns `text` takes."""
    return sum(char_columns(char) for char in text)


def shorten(text: str, columns: int = LABEL_COLUMNS) -> str:
    """`text` cut to `columns` display columns (wide characters count two), ending with "…"."""
    used = 0
    for n, char in enumerate(text):
        used += char_columns(char)
        if used > columns - 1 and n < len(text) - 1:
            return text[:n] + "…"
    return text


def _n(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zero: 344, 316.5."""
    return f"{round(value, 1):g}"


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _open(height: int, ident: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        # Sized by the dashboard's style sheet (`.chart svg`): its policy allows no inline style.
        f'role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'font-family="{escape(FAMILY)}" font-size="{FONT}" fill="{INK}">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]


def completion_svg(
    lessons: Sequence[LessonCompletion],
    enrolled: int,
    labels: SvgLabels,
    ident: str = "completion",
) -> str:
    """One full-width bar per lesson (lesson 1 on top), its label and figures above it: the
    share of the `enrolled` trainees who passed it. `ident` makes the ids unique on a page."""
    row = 40
    height = PAD * 2 + row * max(len(lessons), 1)
    parts = _open(
        height, ident, labels.completion_title, labels.completion_desc.format(enrolled=enrolled)
    )
    span = WIDTH - 2 * PAD
    for n, lesson in enumerate(lessons):
        top = PAD + n * row
        figures = {"number": n + 1, "passed": lesson.passed, "percent": percent(lesson.share)}
        text = labels.completion_bar.format(title=lesson.title, **figures)
        # a long title is cut, never the figures after it
        room = LABEL_COLUMNS - _columns(labels.completion_bar.format(title="", **figures))
        shown = labels.completion_bar.format(title=shorten(lesson.title, max(room, 8)), **figures)
        filled = _n(span * max(0.0, min(lesson.share, 1.0)))
        parts.append(
            f"<g><title>{escape(text)}</title>"
            f'<text x="{PAD}" y="{top + 14}">{escape(shown)}</text>'
            f'<rect x="{PAD}" y="{top + 20}" width="{span}" height="12" fill="{TRACK}"/>'
            f'<rect x="{PAD}" y="{top + 20}" width="{filled}" height="12" fill="{BAR}"/></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def activity_svg(activity: Activity, labels: SvgLabels, ident: str = "activity") -> str:
    """One column per period, oldest on the left, its count above it and, under it (under the
    first, middle and last when more than 8), the day it starts ("03-02"); the scale is the
    largest count."""
    points = activity.points
    weekly = activity.days_per_period > 1
    title = labels.activity_title_week if weekly else labels.activity_title_day
    first, last = points[0], points[-1]
    desc = labels.activity_desc.format(
        enrolled=activity.enrolled, start=first.start.isoformat(), end=last.end.isoformat()
    )
    chart_top, chart_height, axis = PAD + FONT + 4, 120, 20
    height = chart_top + chart_height + axis + PAD
    parts = _open(height, ident, title, desc)
    span = WIDTH - 2 * PAD
    slot = span / len(points)
    bar = max(slot * 0.7, 1.0)
    peak = max((p.active for p in points), default=0) or 1
    every = len(points) <= 8  # 8 dates fit a phone's width; more get the first, middle, last
    ticks = set(range(len(points))) if every else {0, len(points) // 2, len(points) - 1}
    show_counts = len(points) <= 14  # more would overlap on a phone; each bar keeps its title
    base = chart_top + chart_height
    for n, point in enumerate(points):
        x = PAD + n * slot + (slot - bar) / 2
        tall = chart_height * point.active / peak
        said = labels.activity_point.format(
            start=point.start.isoformat(), end=point.end.isoformat(), active=point.active
        )
        middle = _n(x + bar / 2)
        parts.append(
            f"<g><title>{escape(said)}</title>"
            f'<rect x="{_n(x)}" y="{_n(base - tall)}" width="{_n(bar)}" '
            f'height="{_n(tall)}" fill="{BAR}"/>'
        )
        if show_counts:
            parts.append(
                f'<text x="{middle}" y="{_n(base - tall - 4)}" '
                f'text-anchor="middle">{point.active}</text>'
            )
        if n in ticks:
            parts.append(
                f'<text x="{middle}" y="{base + 15}" text-anchor="middle" font-size="11">'
                f"{point.start.strftime('%m-%d')}</text>"
            )
        parts.append("</g>")
    parts.append(f'<line x1="{PAD}" y1="{base}" x2="{WIDTH - PAD}" y2="{base}" stroke="{INK}"/>')
    parts.append("</svg>")
    return "".join(parts)
