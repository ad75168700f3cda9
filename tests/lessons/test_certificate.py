"""Certificate codes can be read aloud and typed back; the picture is a small, tidy PNG."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PIL import Image, ImageChops

from bot.lessons import certificate
from bot.lessons.certificate import INNER, MARGIN, SIZE, CertificateText, render_certificate

LONG_ES_NAME = "María Guadalupe Fernández de la Peña y Hernández Ñúñez Ortiz"
LONG_ZH_TITLE = "用手机把自家农产品卖到全国各地：从拍照写介绍定价格到打包发货收款与售后全流程指南"

ZH = CertificateText(
    heading="结业证书",
    person_name="王秀英",
    line_completed="已完成课程",
    course_title="《用手机卖农产品》",
    date_text="2025年3月8日",
    code_label="验证码",
    code="7KQM-3HXP",
    footer="乡村学堂",
)
ES = CertificateText(
    heading="Certificado de terminación",
    person_name="María López",
    line_completed="ha completado el curso",
    course_title="Vender en línea: fotos, precios y envíos",
    date_text="8 de marzo de 2025",
    code_label="Código de verificación",
    code="7KQM-3HXP",
    footer="Academia del Pueblo",
)


def picture(text: CertificateText) -> Image.Image:
    return Image.open(io.BytesIO(render_certificate(text))).convert("RGB")


# --- codes ---


def test_render_is_a_small_landscape_png() -> None:
    started = time.perf_counter()
    data = render_certificate(ES)
    elapsed = time.perf_counter() - started
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == SIZE
    assert image.width > image.height
    assert image.mode in {"P", "RGB"}
    assert len(data) < 400_000
    rgb = image.convert("RGB")
    assert rgb.getpixel((SIZE[0] // 2, 10)) == certificate.BACKGROUND  # palette kept the colours
    assert rgb.getpixel((MARGIN // 2 + 10, SIZE[1] // 2)) == certificate.BACKGROUND
    assert elapsed < 1.0


def test_chinese_names_render_as_distinct_glyphs() -> None:
    """Tofu boxes would make two different names look the same; real glyphs do not."""
    wang, li, blank = (
        picture(ZH),
        picture(replace(ZH, person_name="李桂兰")),
        picture(replace(ZH, person_name="")),
    )
    changed = ImageChops.difference(wang, li).convert("L").point(lambda v: 255 if v > 40 else 0)
    box = changed.getbbox()
    assert box is not None
    left, top, right, bottom = box
    assert left >= MARGIN and right <= SIZE[0] - MARGIN  # only the name area changes
    assert top > 200 and bottom < SIZE[1] - 300
    assert changed.histogram()[255] > 5_000
    ink = ImageChops.difference(wang, blank).convert("L").point(lambda v: 255 if v > 40 else 0)
    assert ink.histogram()[255] > 5_000


def assert_text_inside_margins(image: Image.Image) -> None:
    """Between the gold inner frame and the text margin there is only background."""
    width, height = image.size
    background = image.getpixel((INNER + 20, height // 2))
    rows = (INNER + 20, height - INNER - 20)  # clear of the frame's corner ornaments
    for x0, x1 in ((INNER + 6, MARGIN - 2), (width - MARGIN + 2, width - INNER - 6)):
        strip = image.crop((x0, rows[0], x1, rows[1]))
        assert strip.getcolors() == [(strip.width * strip.height, background)]


@pytest.mark.parametrize(
    "text",
    [
        replace(ES, person_name=LONG_ES_NAME),
        replace(ZH, course_title=LONG_ZH_TITLE),
        replace(ES, person_name=LONG_ES_NAME * 3, course_title=LONG_ES_NAME * 3),
        replace(ZH, person_name="王" * 80, course_title=LONG_ZH_TITLE * 3),
    ],
    ids=["long-es-name", "long-zh-title", "absurd-es", "absurd-zh"],
)
def test_long_text_stays_inside_the_border(text: CertificateText) -> None:
    assert len(LONG_ES_NAME) == 60 and len(LONG_ZH_TITLE) == 40
    assert_text_inside_margins(picture(text))


@pytest.mark.parametrize(
    ("text", "size", "min_size", "joiner"),
    [(LONG_ES_NAME, 104, 56, " "), (LONG_ZH_TITLE, 62, 36, "")],  # as render_certificate uses
)
def test_long_text_is_wrapped_whole_not_cut(
    text: str, size: int, min_size: int, joiner: str
) -> None:
    """A 60-character name or a 40-character title goes onto two lines rather than being cut."""
    span = SIZE[0] - 2 * MARGIN
    font, _, lines = certificate._fit(text, size, min_size, span)
    assert len(lines) == 2
    assert joiner.join(lines) == text
    assert all(font.getlength(line) <= span for line in lines)


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    certificate._font.cache_clear()
    certificate._font_path.cache_clear()
    monkeypatch.setitem(sys.modules, "cvttf_NotoSansCJK_Regular", None)  # import now fails
    yield
    certificate._font.cache_clear()
    certificate._font_path.cache_clear()


@pytest.mark.usefixtures("no_cjk_font")
def test_missing_font_falls_back_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    data = render_certificate(ES)
    assert Image.open(io.BytesIO(data)).size == SIZE
    assert "CJK font unavailable" in caplog.text
