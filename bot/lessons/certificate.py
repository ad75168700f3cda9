"""The course completion certificate: a verification code and the PNG picture sent to the seller.

Every sentence on the certificate comes from the caller (translation catalogs); this module only
lays it out. Text is drawn with Noto Sans CJK so Chinese, Spanish and English all render.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

SIZE = (1600, 1131)  # landscape, A4 ratio
OUTER, INNER = 36, 58  # inset of the thick outer frame line and of the thin inner one
MARGIN = 150  # text stays between x = MARGIN and x = width - MARGIN
BACKGROUND = (251, 248, 240)
FRAME = (31, 78, 74)
GOLD = (168, 132, 62)
INK = (38, 38, 38)
SOFT = (96, 96, 96)
LEADING = 1.3  # line height as a multiple of the font size

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont
_Block = tuple[FontType, int, list[str], tuple[int, int, int]]  # font, size, lines, colour


@dataclass(frozen=True)
class CertificateText:
    """Everything written on a certificate, already translated and formatted by the caller."""

    heading: str  # "Certificate of completion"
    person_name: str
    line_completed: str  # "has completed the course"
    course_title: str
    date_text: str  # "8 March 2025", already in the person's language
    code_label: str  # "Verification code"
    code: str  # "7KQM-3HXP"
    footer: str  # "Village Academy"


@lru_cache(maxsize=1)
def _font_path() -> str | None:
    try:
        import cvttf_NotoSansCJK_Regular  # imported lazily so a missing font is not fatal

        return str(cvttf_NotoSansCJK_Regular.get_TTF_path())
    except ImportError as exc:
        log.warning("CJK font unavailable (%s); certificate uses Pillow's default font", exc)
        return None


@lru_cache(maxsize=128)
def _font(size: int) -> FontType:
    path = _font_path()
    if path is not None:
        try:
            return ImageFont.truetype(path, size)
        except OSError as exc:
            log.warning("Cannot open %s (%s); certificate uses Pillow's default font", path, exc)
    return ImageFont.load_default(size=size)


def _width(text: str, font: FontType) -> float:
    return font.getlength(text) if text else 0.0


def _split(text: str, font: FontType) -> list[str]:
    """Break `text` into two lines as even as possible: at a space, or anywhere in Chinese."""
    sep = " " if " " in text else ""
    tokens = text.split(" ") if sep else list(text)
    if len(tokens) < 2:
        return [text]
    cuts = [(sep.join(tokens[:i]), sep.join(tokens[i:])) for i in range(1, len(tokens))]
    return list(min(cuts, key=lambda pair: max(_width(part, font) for part in pair)))


def _shorten(line: str, font: FontType, max_width: float) -> str:
    """Cut `line` with an ellipsis until it fits (a last resort for absurdly long text)."""
    if _width(line, font) <= max_width:
        return line
    while line and _width(line + "…", font) > max_width:
        line = line[:-1]
    return line.rstrip() + "…"


def _fit(text: str, size: int, min_size: int, max_width: float) -> tuple[FontType, int, list[str]]:
    """Shrink `text` from `size` down to `min_size` to fit one line, else split it onto two."""
    text = " ".join(text.split())
    lines = [text]
    if _width(text, _font(min_size)) > max_width:
        lines = _split(text, _font(min_size))
        size = max(min_size, int(size * 0.7))  # two big lines would crowd the page
    widest = max(_width(line, _font(size)) for line in lines)
    if widest > max_width:
        size = max(min_size, int(size * max_width / widest))
    font = _font(size)
    return font, size, [_shorten(line, font, max_width) for line in lines]


def _draw_code(draw: ImageDraw.ImageDraw, code: str, centre: tuple[float, float]) -> None:
    """The code in equal-width cells, so every character stands apart like on a typewriter."""
    font, cell = _font(40), 44
    x0 = centre[0] - cell * len(code) / 2
    for i, ch in enumerate(code):
        draw.text((x0 + cell * (i + 0.5), centre[1]), ch, font=font, fill=INK, anchor="mm")


def _draw_block(draw: ImageDraw.ImageDraw, block: _Block, top: float) -> float:
    """Draw a block's lines centred, from `top` down; return where the block ends."""
    font, size, lines, fill = block
    for i, line in enumerate(lines):
        middle = top + size * LEADING * (i + 0.5)
        draw.text((SIZE[0] / 2, middle), line, font=font, fill=fill, anchor="mm")
    return top + size * LEADING * len(lines)


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    """The background plus 16 anti-aliasing shades towards each ink: exact colours, tiny PNG."""
    values = list(BACKGROUND)
    for ink in (FRAME, GOLD, INK, SOFT):
        for k in range(1, 17):
            values += [round(b + (i - b) * k / 16) for b, i in zip(BACKGROUND, ink, strict=True)]
    palette = Image.new("P", (1, 1))
    palette.putpalette(values)
    return palette


def render_certificate(text: CertificateText) -> bytes:
    """Draw the certificate as a landscape PNG (1600x1131, palette colours, well under 400 KB)."""
    width, height = SIZE
    centre, span = width / 2, width - 2 * MARGIN
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((OUTER, OUTER, width - OUTER, height - OUTER), outline=FRAME, width=8)
    draw.rectangle((INNER, INNER, width - INNER, height - INNER), outline=GOLD, width=2)
    for corner_x in (INNER, width - INNER):
        for corner_y in (INNER, height - INNER):
            draw.regular_polygon((corner_x, corner_y, 9), 4, fill=GOLD)

    bottom = _draw_block(draw, (*_fit(text.heading, 66, 40, span), FRAME), 135)
    draw.line((centre - 120, bottom + 30, centre + 120, bottom + 30), fill=GOLD, width=2)
    draw.regular_polygon((centre, bottom + 30, 8), 4, fill=GOLD)

    # Name, rule, "has completed", title and date, centred between the heading and the code.
    name = (*_fit(text.person_name, 104, 56, span), INK)
    rest = [
        ((*_fit(text.line_completed, 38, 28, span), SOFT), 20),
        ((*_fit(text.course_title, 62, 36, span), FRAME), 16),
        ((*_fit(text.date_text, 34, 26, span), SOFT), 30),
    ]
    rule_gap = 76
    stack = sum(b[1] * LEADING * len(b[2]) + gap for b, gap in [(name, rule_gap), *rest])
    top = bottom + 60 + max(0, (height - 270 - (bottom + 60) - stack) / 2)
    y = _draw_block(draw, name, top) + rule_gap / 2
    draw.line((centre - 300, y, centre + 300, y), fill=SOFT, width=1)
    y += rule_gap / 2
    for block, gap in rest:
        y = _draw_block(draw, block, y + gap)

    code_y = height - 178
    _draw_block(draw, (*_fit(text.code_label, 26, 18, span), SOFT), code_y - 67)
    _draw_code(draw, text.code, (centre, code_y))
    _draw_block(draw, (*_fit(text.footer, 30, 22, span), GOLD), height - 122)

    out = io.BytesIO()
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(out, "PNG", optimize=True)
    return out.getvalue()
