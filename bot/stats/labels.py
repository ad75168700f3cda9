"""The words of charts and spreadsheets, from the translation catalogs (chat and CLI alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.db.models import LessonStatus
from bot.i18n import Translator

if TYPE_CHECKING:  # matplotlib and openpyxl load only when a chart or export is made
    from bot.stats.chart import ChartLabels
    from bot.stats.export import ExportLabels
    from bot.stats.svg import SvgLabels

EXPORT_FIELDS = (
    "trainees_sheet",
    "name",
    "cohort",
    "joined",
    "last_seen",
    "passed",
    "average",
    "summary_sheet",
    "enrolled",
    "active_7d",
    "completion",
    "lesson",
    "trainees_passed",
    "share",
    "most_missed",
    "question",
    "wrong",
    "answers",
    "questions",
    "unanswered",
    "waiting",
    "topics",
    "not_covered",
    "messages",
    "delivered",
    "read",
    "unreachable",
    "unreachable_yes",
)


def chart_labels(t: Translator) -> ChartLabels:
    from bot.stats.chart import ChartLabels

    return ChartLabels(
        title=t("stats.chart.title"),
        enrolled=t("stats.chart.enrolled"),
        active_7d=t("stats.chart.active_7d"),
        completion=t("stats.chart.completion"),
        average=t("stats.chart.average"),
        no_score=t("stats.no_score"),
    )


def export_labels(t: Translator) -> ExportLabels:
    from bot.stats.export import ExportLabels

    statuses: dict[str, str] = {s: t(f"stats.status.{s}") for s in LessonStatus}
    return ExportLabels(statuses=statuses, **{f: t(f"stats.xlsx.{f}") for f in EXPORT_FIELDS})


SVG_FIELDS = (
    "completion_title",
    "completion_desc",
    "completion_bar",
    "activity_title_week",
    "activity_title_day",
    "activity_desc",
    "activity_point",
)


def svg_labels(t: Translator) -> SvgLabels:
    """The dashboard charts' words (`stats.svg.*`) in the translator's language."""
    from bot.stats.svg import SvgLabels

    return SvgLabels(**{f: t(f"stats.svg.{f}") for f in SVG_FIELDS})
