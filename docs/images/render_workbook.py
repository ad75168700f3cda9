"""Draw docs/images/workbook-cards.png: the Cards sheet of the starter course, its header and the
first English cards (with their real row numbers; the Chinese rows above them need a CJK font).

Run from the repository root: .venv/bin/python docs/images/render_workbook.py
"""

from __future__ import annotations

import textwrap
from io import BytesIO
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
from openpyxl import load_workbook

from bot.lessons.workbook import export_course

ROOT = Path(__file__).resolve().parents[2]
CARDS = 4  # English cards shown under the header
WIDTHS = {"A": 16, "B": 6, "C": 10, "D": 64, "E": 12, "F": 14}  # characters, as in the sheet
LINES = 4  # lines of a card shown
CHAR, LINE = 0.62, 1.0  # a character's width and a line's height, in drawing units
GREY, BLUE, EDGE = "#efefef", "#ddebf7", "#b7b7b7"


def main() -> None:
    book = load_workbook(BytesIO(export_course(ROOT / "content/courses/sell-online", "en")))
    sheet = book["Cards"]
    letters = list(WIDTHS)
    rows = [next(sheet.iter_rows(max_row=1, max_col=len(letters)))]
    rows += [r for r in sheet.iter_rows(min_row=2, max_col=len(letters)) if r[2].value == "en"]
    table = []
    for row in rows[: CARDS + 1]:
        texts = []
        for letter, cell in zip(letters, row, strict=True):
            text = "" if cell.value is None else " ".join(str(cell.value).split())
            lines = textwrap.wrap(text, WIDTHS[letter] - 1) or [""]
            texts.append([*lines[: LINES - 1], "…"] if len(lines) > LINES else lines)
        table.append((str(row[0].row), texts))
    heights = [max(len(lines) for lines in texts) + 0.6 for _, texts in table]
    lefts = [4.0]
    for letter in letters:
        lefts.append(lefts[-1] + WIDTHS[letter] * CHAR)
    total_height = 1.4 + sum(heights)
    figure, axes = plt.subplots(figsize=(lefts[-1] * 0.16, total_height * 0.3), dpi=110)
    axes.set_xlim(0, lefts[-1] + 0.2)
    axes.set_ylim(total_height + 0.2, -1.6)
    axes.axis("off")

    def box(x: float, y: float, width: float, height: float, colour: str) -> None:
        axes.add_patch(Rectangle((x, y), width, height, facecolor=colour, edgecolor=EDGE))

    box(0, 0, 4.0, 1.4, GREY)
    for index, letter in enumerate(letters):  # Excel's column letters
        box(lefts[index], 0, lefts[index + 1] - lefts[index], 1.4, GREY)
        axes.text((lefts[index] + lefts[index + 1]) / 2, 0.7, letter, ha="center", va="center")
    top = 1.4
    for number, ((row_number, texts), height) in enumerate(zip(table, heights, strict=True)):
        box(0, top, 4.0, height, GREY)
        axes.text(2.0, top + height / 2, row_number, ha="center", va="center")
        for index, lines in enumerate(texts):
            box(
                lefts[index],
                top,
                lefts[index + 1] - lefts[index],
                height,
                BLUE if not number else "white",
            )
            axes.text(
                lefts[index] + 0.3,
                top + 0.3,
                "\n".join(lines),
                ha="left",
                va="top",
                fontsize=9,
                weight="bold" if not number else "normal",
                linespacing=1.35,
            )
        top += height
    axes.text(
        0, -0.9, "course.xlsx, sheet “Cards”: the starter course exported in English", fontsize=11
    )
    figure.savefig(ROOT / "docs/images/workbook-cards.png", bbox_inches="tight")


if __name__ == "__main__":
    main()
