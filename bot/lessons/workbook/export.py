"""`export_course`: a course's files as a workbook a lecturer edits in Excel or WPS.

One row per thing and language (a lesson in zh, a card in es, a question in en): the course files
let each language have its own cards, questions and reading time, and the workbook keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.config import LANGUAGES
from bot.i18n import Translator
from bot.lessons.templates import SCHEDULED
from bot.lessons.workbook import layout
from bot.lessons.workbook.draft import CourseDraft
from bot.lessons.workbook.files import read_course

MAX_ROWS = 5000  # how far down the validation lists reach
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def export_course(course_dir: Path, language: str) -> bytes:
    """The workbook (.xlsx bytes) of the course in `course_dir`, headers in `language`.

    The course must load without problems (check it first with `load_course`).
    """
    return export_draft(read_course(course_dir), language)


def export_draft(draft: CourseDraft, language: str) -> bytes:
    book = Workbook()
    read_me = book.active
    assert read_me is not None
    read_me.title = layout.sheet_title(layout.READ_ME, language)
    _write_read_me(read_me, language)
    rows = {
        layout.COURSE: _course_rows(draft),
        layout.LESSONS: _lesson_rows(draft),
        layout.CARDS: _card_rows(draft),
        layout.QUIZ: _quiz_rows(draft),
        layout.WHATSAPP: _whatsapp_rows(draft.whatsapp or {}),
        layout.WECHAT: _wechat_rows(draft.wechat or {}),
    }
    for sheet in layout.SHEETS:
        sheet_rows = rows[sheet]
        _write_sheet(
            book.create_sheet(layout.sheet_title(sheet, language)), sheet, sheet_rows, language
        )
    lessons = layout.sheet_title(layout.LESSONS, language).replace("'", "''")
    names = [column.name for column in layout.SHEETS[layout.LESSONS]]
    slug = get_column_letter(names.index("lesson") + 1)
    for sheet in (layout.CARDS, layout.QUIZ):  # a lesson is picked from the lessons sheet
        slugs = DataValidation(type="list", formula1=f"'{lessons}'!${slug}$2:${slug}${MAX_ROWS}")
        worksheet = book[layout.sheet_title(sheet, language)]
        _add(worksheet, [column.name for column in layout.SHEETS[sheet]], "lesson", slugs)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def _write_read_me(sheet: Worksheet, language: str) -> None:
    t = Translator(language)
    sheet.column_dimensions["A"].width = 110
    for row, line in enumerate(t("workbook.instructions").split("\n"), 1):
        cell = sheet.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row == 1:
            cell.font = Font(bold=True, size=14)


def _write_sheet(
    sheet: Worksheet, name: str, rows: Sequence[dict[str, Any]], language: str
) -> None:
    columns = layout.SHEETS[name]
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index, value=layout.column_title(column.name, language))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, values in enumerate(rows, 2):
        for index, column in enumerate(columns, 1):
            value = values.get(column.name)
            if value is None or value == "":
                continue
            cell = sheet.cell(row=number, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text that starts with '=' is text, not a formula
            if column.text:
                cell.alignment = wrap
    _validate(sheet, name)


def _validate(sheet: Worksheet, name: str) -> None:
    """Drop-down lists and number checks where a cell has a fixed set of values."""
    columns = [column.name for column in layout.SHEETS[name]]
    lists: dict[str, Iterable[str]] = {"language": LANGUAGES}
    if name == layout.COURSE:
        lists["field"] = layout.COURSE_FIELDS
    if name in (layout.WHATSAPP, layout.WECHAT):
        lists["purpose"] = [purpose.value for purpose in SCHEDULED]
    for column, values in lists.items():
        if column in columns:
            _add(sheet, columns, column, DataValidation(type="list", formula1=_list(values)))
    numbers = {"order": 1, "minutes": 1, "card": 1, "question": 1, "answer": 1}
    for column, low in numbers.items():
        if column in columns:
            high = layout.MAX_OPTIONS if column == "answer" else 10_000
            validation = DataValidation(
                type="whole", operator="between", formula1=str(low), formula2=str(high)
            )
            _add(sheet, columns, column, validation)


def _list(values: Iterable[str]) -> str:
    return '"' + ",".join(values) + '"'


def _add(sheet: Worksheet, columns: list[str], column: str, validation: DataValidation) -> None:
    letter = get_column_letter(columns.index(column) + 1)
    validation.allow_blank = True
    validation.add(f"{letter}2:{letter}{MAX_ROWS}")
    sheet.add_data_validation(validation)


def _course_rows(draft: CourseDraft) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"field": "id", "text": draft.id},
        {"field": "languages", "text": ", ".join(draft.languages)},
        {"field": "pass_mark", "text": draft.pass_mark},
    ]
    for name, texts in (
        ("title", draft.title),
        ("summary", draft.summary),
        ("welcome", draft.welcome),
    ):
        rows += [{"field": name, "language": lang, "text": text} for lang, text in texts.items()]
    return rows


def _lesson_rows(draft: CourseDraft) -> list[dict[str, Any]]:
    rows = []
    for order, slug in enumerate(draft.lessons, 1):
        for language in draft.languages:
            lesson = draft.texts[(slug, language)]
            rows.append(
                {
                    "order": order,
                    "lesson": slug,
                    "language": language,
                    "title": lesson.title,
                    "summary": lesson.summary,
                    "minutes": lesson.minutes,
                    "image": lesson.image,
                }
            )
    return rows


def _card_rows(draft: CourseDraft) -> list[dict[str, Any]]:
    rows = []
    for slug in draft.lessons:
        for language in draft.languages:
            for number, card in enumerate(draft.texts[(slug, language)].cards, 1):
                rows.append(
                    {
                        "lesson": slug,
                        "card": number,
                        "language": language,
                        "text": card.text,
                        "image": card.image,
                        "image_text": card.image_text,
                    }
                )
    return rows


def _quiz_rows(draft: CourseDraft) -> list[dict[str, Any]]:
    rows = []
    for slug in draft.lessons:
        for language in draft.languages:
            for number, question in enumerate(draft.texts[(slug, language)].quiz, 1):
                row: dict[str, Any] = {
                    "lesson": slug,
                    "question": number,
                    "language": language,
                    "question_text": question.text,
                    "answer": question.answer,
                    "explanation": question.explanation,
                }
                row.update(zip(layout.OPTIONS, question.options, strict=False))
                row.update(zip(layout.EXPLANATIONS, question.explanations or [], strict=False))
                rows.append(row)
    return rows


def _whatsapp_rows(templates: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for purpose, template in templates.items():
        for language, text in template.get("languages", {}).items():
            rows.append(
                {
                    "purpose": purpose,
                    "template_name": template.get("name"),
                    "parameters": ", ".join(template.get("parameters") or []),
                    "language": language,
                    "code": text.get("code"),
                    "body": text.get("body"),
                    "button": text.get("button"),
                }
            )
    return rows


def _wechat_rows(templates: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for purpose, languages in templates.items():
        for language, template in languages.items():
            for key, source in template.get("fields", {}).items():
                fixed = source.get("text") if isinstance(source, dict) else None
                rows.append(
                    {
                        "purpose": purpose,
                        "language": language,
                        "template_id": template.get("template_id"),
                        "field_key": key,
                        "source": None if fixed is not None else source,
                        "fixed_text": fixed,
                    }
                )
    return rows
