"""The completion chart a coordinator gets in chat: a PNG about 1080 px wide, read on a phone.

One full-width bar per lesson, its number and title above it and the share at its end; the cohort
name and its key figures on top. Every word comes from the caller (`ChartLabels`), already
translated; this module only lays it out. Drawn on a `matplotlib.figure.Figure` with the Agg
canvas, so no pyplot global state is touched and charts can be drawn from any thread.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.stats.model import CohortStats
from bot.stats.svg import char_columns

log = logging.getLogger(__name__)

WIDTH_PX = 1080
DPI = 100
HEADER_IN = 1.9  # title and two lines of figures
ROW_IN = 0.95  # one lesson: its label line and its bar
FOOTER_IN = 0.25
TITLE_WIDTH = 56  # display columns of a lesson label (a Chinese character takes two)
BAR = "#2e8b57"
TRACK = "#e6e6e6"
INK = "#262626"
SOFT = "#5a5a5a"
FALLBACK_FAMILY = "DejaVu Sans"


@dataclass(frozen=True)
class ChartLabels:
    """Words on the chart, translated by the caller, as format strings (the translator places
    the value and picks the punctuation, e.g. "学员：{value}")."""

    title: str  # "Lesson completion: {name}" (the cohort's name, or the course's overall)
    enrolled: str  # "Enrolled: {value}"
    active_7d: str  # "Active in 7 days: {value}"
    completion: str  # "Finished the course: {value}" (a percentage)
    average: str  # "Average quiz score: {value}" (a percentage, or `no_score`)
    no_score: str = "–"  # the average when no quiz was finished


@lru_cache(maxsize=1)
def font_family() -> str:
    """Noto Sans CJK (so Chinese renders), registered once; DejaVu Sans when it is missing."""
    try:
        import cvttf_NotoSansCJK_Regular  # imported lazily so a missing font is not fatal
        from matplotlib import font_manager

        path = str(cvttf_NotoSansCJK_Regular.get_TTF_path())
        font_manager.fontManager.addfont(path)
        return str(font_manager.FontProperties(fname=path).get_name())
    except Exception as exc:  # no package, unreadable file: the chart still draws, in Latin
        log.debug("CJK font unavailable for charts (%s); using %s", exc, FALLBACK_FAMILY)
        return FALLBACK_FAMILY


def shorten(text: str, width: int = TITLE_WIDTH) -> str:
    """Cut `text` to `width` display columns (wide characters count two), ending with "…"."""
    columns = 0
    kept: list[str] = []
    for char in text:
        columns += char_columns(char)
        if columns > width:
            return "".join(kept).rstrip() + "…"
        kept.append(char)
    return text


def percent(share: float | None) -> str:
    """0.734 -> "73%"; None -> ""."""
    return "" if share is None else f"{round(share * 100)}%"


def completion_chart(stats: CohortStats, labels: ChartLabels) -> bytes:
    """The chart of `stats` as PNG bytes, 1080 px wide and as tall as the lessons need."""
    # Regular weight only: the CJK font has no bold, and asking for one logs a warning per text.
    families = [font_family(), FALLBACK_FAMILY]
    count = max(len(stats.lessons), 1)
    height_in = HEADER_IN + ROW_IN * count + FOOTER_IN
    figure = Figure(figsize=(WIDTH_PX / DPI, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)

    top = 1 - 0.35 / height_in
    figure.text(
        0.04,
        top,
        shorten(labels.title.format(name=stats.name), 52),
        fontsize=26,
        color=INK,
        va="top",
        family=families,
    )
    average = percent(stats.average_score) or labels.no_score
    gap = "    "
    lines = (
        labels.enrolled.format(value=stats.enrolled)
        + gap
        + labels.active_7d.format(value=stats.active_7d),
        labels.completion.format(value=percent(stats.completion_rate))
        + gap
        + labels.average.format(value=average),
    )
    for n, line in enumerate(lines):
        figure.text(
            0.04,
            top - (0.62 + 0.38 * n) / height_in,
            line,
            fontsize=19,
            color=SOFT,
            va="top",
            family=families,
        )

    # The bars fill the width under the header; one unit of y per lesson, lesson 1 on top.
    axes = figure.add_axes(
        (0.04, FOOTER_IN / height_in, 0.92, ROW_IN * count / height_in), frameon=False
    )
    axes.set_xlim(0, 112)
    axes.set_ylim(-0.5, count - 0.5)
    axes.set_axis_off()
    for n, lesson in enumerate(stats.lessons):
        y = count - 1 - n
        axes.barh(y - 0.15, 100, height=0.4, color=TRACK)
        axes.barh(y - 0.15, lesson.share * 100, height=0.4, color=BAR)
        axes.text(
            0,
            y + 0.1,
            shorten(f"{n + 1}. {lesson.title}"),
            fontsize=19,
            color=INK,
            va="bottom",
            family=families,
        )
        axes.text(
            101.5,
            y - 0.15,
            percent(lesson.share),
            fontsize=19,
            color=INK,
            va="center",
            family=families,
        )

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
