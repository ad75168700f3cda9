"""Workbooks for the tests: the starter course exported, then edited the way a lecturer would."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook, load_workbook

from bot.lessons.workbook import ImportResult, export_course, import_workbook

ROOT = Path(__file__).parents[3]
STARTER = ROOT / "content" / "courses" / "sell-online"
SAMPLE = ROOT / "tests" / "content" / "courses" / "sample"


@cache
def starter_book(language: str = "en") -> bytes:
    return export_course(STARTER, language)


def edited(change: Callable[[Workbook], object], data: bytes | None = None) -> bytes:
    """The workbook (the English starter by default) after `change`, saved as a lecturer would."""
    book = load_workbook(BytesIO(data if data is not None else starter_book()))
    change(book)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def imported(data: bytes, language: str = "en") -> ImportResult:
    return import_workbook(data, language, media=[])


def errors(result: ImportResult) -> list[str]:
    """The errors as printed; a refused workbook never comes with files."""
    assert result.errors and not result.files
    return [str(error) for error in result.errors]


def put(sheet: str, cell: str, value: object) -> Callable[[Workbook], object]:
    def change(book: Workbook) -> None:
        book[sheet][cell] = value

    return change
