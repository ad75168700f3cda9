"""The completion chart: a real PNG, phone-sized, Chinese rendered, bars drawn to scale."""

from __future__ import annotations

import io
import sys
import warnings

from PIL import Image

from bot.stats import CohortStats, LessonCompletion, cohort_stats
from bot.stats.chart import BAR, ChartLabels, completion_chart, font_family, shorten
from tests.stats.conftest import NOW, Programme

ZH = ChartLabels(
    title="课程完成情况：{name}",
    enrolled="学员：{value}",
    active_7d="近7天学习：{value}",
    completion="学完全部：{value}",
    average="测验平均分：{value}",
)


def stats_with(shares: list[float], average: float | None = 0.8) -> CohortStats:
    lessons = [
        LessonCompletion(f"l{n}", f"第{n}课 拍一张好照片", round(share * 200), share)
        for n, share in enumerate(shares, 1)
    ]
    return CohortStats(7, "桃园一班", "sample", 200, 90, 0.25, average, lessons, [])


def png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def bar_pixels(image: Image.Image) -> int:
    colour = tuple(int(BAR[i : i + 2], 16) for i in (1, 3, 5))
    counts = {rgb: n for n, rgb in image.convert("RGB").getcolors(1 << 24) or []}
    return counts.get(colour, 0)


async def test_chart_of_real_figures_in_chinese(programme: Programme) -> None:
    runtime = programme.runtime
    async with runtime.sessions() as session:
        stats = await cohort_stats(
            session, runtime.academy.services.courses, None, NOW, "zh", "sample"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = png(completion_chart(stats, ZH))
    assert image.format == "PNG" and image.width == 1080
    assert 350 < image.height < 700  # two lessons: short enough to see whole on a phone
    # A glyph the font lacks is reported as a warning and drawn as a box: none may be missing.
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert font_family().startswith("Noto Sans CJK")
    assert "matplotlib.pyplot" not in sys.modules  # no global figure state


def test_bars_are_drawn_to_scale_and_height_follows_the_lessons() -> None:
    half = png(completion_chart(stats_with([0.5, 0.5]), ZH))
    full = png(completion_chart(stats_with([1.0, 1.0]), ZH))
    empty = png(completion_chart(stats_with([0.0, 0.0], average=None), ZH))
    assert bar_pixels(empty) == 0
    assert 1.9 < bar_pixels(full) / bar_pixels(half) < 2.1
    twelve = png(completion_chart(stats_with([0.9 - n * 0.07 for n in range(12)]), ZH))
    assert twelve.width == 1080 and twelve.height > 2 * half.height


def test_long_titles_are_shortened_by_display_width() -> None:
    assert shorten("Take photos", 20) == "Take photos"
    assert (
        shorten("拍出让买家放心的照片", 10) == "拍出让买家…"
    )  # a Chinese character is two columns
    assert shorten("a" * 30, 10) == "a" * 10 + "…"
