"""The dashboard's SVG charts: well-formed, accessible, escaped, translated and small."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

from bot.i18n import Translator
from bot.stats.labels import svg_labels
from bot.stats.model import LessonCompletion
from bot.stats.svg import activity_svg as activity_chart
from bot.stats.svg import completion_svg, shorten
from bot.stats.views import Activity, ActivityPoint

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def texts(root: ElementTree.Element, tag: str) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}{tag}")]


def twelve_lessons(title: str = "Tome fotos que den confianza") -> list[LessonCompletion]:
    return [
        LessonCompletion(f"l{n}", f"{title} {n}", 100 - n * 8, (100 - n * 8) / 100)
        for n in range(12)
    ]


def weeks(active: list[int]) -> Activity:
    start = date(2026, 1, 20)
    points = tuple(
        ActivityPoint(start + timedelta(days=7 * n), start + timedelta(days=7 * n + 6), a)
        for n, a in enumerate(active)
    )
    return Activity(7, points, 50)


def test_completion_chart_is_accessible_and_small() -> None:
    svg = completion_svg(twelve_lessons(), 100, svg_labels(Translator("es")), ident="c1")
    root = parse(svg)
    assert root.get("viewBox") == "0 0 360 496" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-t c1-d"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "c1-t"
    assert title.text == "Alumnos que aprobaron cada lección"
    assert desc is not None and "100" in (desc.text or "")
    assert texts(root, "text")[0] == "1. Tome fotos que den confianza 0: 100 (100%)"
    assert texts(root, "text")[11] == "12. Tome fotos que den confianza 11: 12 (12%)"
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") != "#e4e4e4"]
    assert [b.get("width") for b in bars[:2]] == ["344", "316.5"]  # 100 % and 92 % of 344
    assert len(svg.encode()) < 6 * 1024


def test_completion_chart_escapes_and_shortens_titles() -> None:
    hostile = [LessonCompletion("x", '<script>alert("x")</script> & more', 1, 0.5)]
    svg = completion_svg(hostile, 2, svg_labels(Translator("en")))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert texts(root, "text") == ['1. <script>alert("x")</script> & more: 1 (50%)']
    chinese = [LessonCompletion("y", "拍出让人放心的照片" * 4, 3, 0.75)]
    root = parse(completion_svg(chinese, 4, svg_labels(Translator("zh"))))
    label = texts(root, "text")[0]
    assert "…" in label and len(label) < 30
    assert label.endswith("3 人（75%）")  # the title is cut, never the figures
    english = [
        LessonCompletion("z", "Choose where to sell and open your first online shop", 19, 0.2)
    ]
    shown = texts(parse(completion_svg(english, 95, svg_labels(Translator("en")))), "text")[0]
    assert shown.startswith("1. Choose where") and "…" in shown and shown.endswith(": 19 (20%)")
    assert texts(root, "title")[1].endswith("3 人（75%）")  # the full label stays in the title
    assert shorten("short") == "short"


def test_activity_chart_weeks_and_days() -> None:
    labels = svg_labels(Translator("zh"))
    root = parse(activity_chart(weeks([0, 5, 10, 20]), labels, ident="a"))
    assert texts(root, "title")[0] == "每周学习的学员"
    assert "2026-01-20" in texts(root, "desc")[0] and "50" in texts(root, "desc")[0]
    assert texts(root, "text") == ["0", "01-20", "5", "01-27", "10", "02-03", "20", "02-10"]
    heights = [r.get("height") for r in root.iter(f"{SVG}rect")]
    assert heights == ["0", "30", "60", "120"]  # the largest count fills the chart
    assert texts(root, "title")[4] == "2026-02-10 至 2026-02-16：20 人学习"
    days = Activity(
        1, tuple(ActivityPoint(date(2026, 3, d), date(2026, 3, d), d) for d in range(1, 29)), 9
    )
    root = parse(activity_chart(days, svg_labels(Translator("en"))))
    assert texts(root, "title")[0] == "Trainees who studied, day by day"
    # 28 bars: no counts over them, three dates under them; each bar keeps its title.
    assert texts(root, "text") == ["03-01", "03-15", "03-28"]
    assert len(list(root.iter(f"{SVG}rect"))) == 28


def test_activity_chart_with_nobody_active() -> None:
    root = parse(activity_chart(weeks([0, 0]), svg_labels(Translator("en"))))
    assert [r.get("height") for r in root.iter(f"{SVG}rect")] == ["0", "0"]
