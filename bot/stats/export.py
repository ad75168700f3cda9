"""Trainee exports for the coordinator's laptop: an XLSX workbook and a CSV file.

One row per trainee, one column per lesson (the status as a word or symbol, with the best quiz
score), then the lessons passed and the average score; when anyone exported is on a channel that
reports receipts (WhatsApp), their messages, how many reached the phone and were read, and
whether they are unreachable (blank for someone with no receipts: on Telegram nothing is known).
The workbook adds a summary sheet: the figures (with the receipts' when there are any),
completion per lesson, the most missed quiz questions and the lessons asked about most.
Column headers and status words come from the caller (`ExportLabels`), already translated;
lesson titles come from the course.
The workbook is written in openpyxl's write-only mode: 10,000 trainees take about a second.

Every text cell of both goes through `spreadsheet_text`: names and class names are typed by
people, and a spreadsheet must show them, never run them (formula injection) nor choke on them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.db.models import LessonStatus
from bot.lessons.model import Course
from bot.stats.model import CohortStats, TraineeRow

FILLS: dict[str, PatternFill] = {  # a glance at the sheet shows where the class is stuck
    LessonStatus.passed: PatternFill("solid", fgColor="D9F2E1"),
    LessonStatus.failed: PatternFill("solid", fgColor="F8D7DA"),
}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
# What a write-only cell takes (an int is a float here).
CellValue = str | float | datetime | None
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What XML 1.0 (so XLSX) cannot hold, and no one means to type: C0 controls but tab, LF, CR; DEL.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # Excel, LibreOffice and Sheets start formulas


def spreadsheet_text(text: str) -> tuple[str, bool]:
    """`text` without control characters, and whether a spreadsheet would read it as a formula
    (it starts with = + - @, a tab or a carriage return): such a cell must be written as text."""
    clean = CONTROL.sub("", text)
    return clean, clean.startswith(FORMULA_START)


def csv_value(value: object) -> object:
    """A CSV field: text cleaned, and quoted with a leading ' when a spreadsheet would run it (the
    OWASP advice); numbers and everything else as they are."""
    if not isinstance(value, str):
        return value
    clean, formula_like = spreadsheet_text(value)
    return "'" + clean if formula_like else clean


@dataclass(frozen=True)
class ExportLabels:
    """Words in the exports, translated by the caller."""

    trainees_sheet: str  # "Trainees"
    name: str  # "Name"
    cohort: str  # "Cohort"
    joined: str  # "Joined (UTC)"
    last_seen: str  # "Last seen (UTC)"
    passed: str  # "Lessons passed"
    average: str  # "Average score"
    statuses: Mapping[str, str]  # "passed"/"failed"/"quiz"/"reading"/"" -> "✔"/"✘"/"quiz"/...
    summary_sheet: str  # "Summary"
    enrolled: str  # "Enrolled"
    active_7d: str  # "Active in the last 7 days"
    completion: str  # "Finished the course"
    lesson: str  # "Lesson"
    trainees_passed: str  # "Trainees who passed"
    share: str  # "Share"
    most_missed: str  # "Most missed questions"
    question: str  # "Question"
    wrong: str  # "Wrong"
    answers: str  # "Answers"
    questions: str  # "Questions asked"
    unanswered: str  # "Not answered by the bot"
    waiting: str  # "Waiting for a lecturer's answer"
    topics: str  # "Most asked about"
    not_covered: str  # "Not covered by the course"
    # Receipts (WhatsApp); their columns appear only when someone has receipts.
    messages: str = ""  # "messages with delivery reports"
    delivered: str = ""  # "Reached the phone"
    read: str = ""  # "Read"
    unreachable: str = ""  # "Unreachable"
    unreachable_yes: str = ""  # "yes"


def lesson_headers(course: Course, language: str) -> list[str]:
    """ "1. Choose one product", … in course order."""
    return [
        f"{n}. {course.lesson(slug, language).title}" for n, slug in enumerate(course.lessons, 1)
    ]


def status_text(status: str, score: float | None, labels: ExportLabels) -> str:
    """A lesson cell: the status word and, once a quiz is finished, the best score ("✔ 83%")."""
    word = labels.statuses.get(status, status)
    return f"{word} {round(score * 100)}%".strip() if score is not None else word


def _naive_utc(moment: datetime) -> datetime:
    # Excel has no time zones: openpyxl refuses aware datetimes, so write UTC wall time.
    return moment.astimezone(UTC).replace(tzinfo=None)


def _header(course: Course, labels: ExportLabels, language: str, reach: bool) -> list[str]:
    fixed = [labels.name, labels.cohort, labels.joined, labels.last_seen]
    header = [*fixed, *lesson_headers(course, language), labels.passed, labels.average]
    if reach:
        header += [labels.messages, labels.delivered, labels.read, labels.unreachable]
    return header


def _has_receipts(rows: list[TraineeRow]) -> bool:
    return any(row.messages for row in rows)


def _reach_cells(row: TraineeRow, labels: ExportLabels) -> list[int | str | None]:
    """A trainee's receipts; blanks when they have none (nothing is known, which is not 0)."""
    if not row.messages:
        return [None, None, None, None]
    return [
        row.messages,
        row.delivered,
        row.read,
        labels.unreachable_yes if row.unreachable else None,
    ]


def trainees_csv(
    course: Course, rows: list[TraineeRow], labels: ExportLabels, language: str = "en"
) -> str:
    """The trainees as CSV text (dates ISO 8601 in UTC, CRLF line ends as in RFC 4180); write it
    as utf-8-sig for Excel."""
    out = io.StringIO()
    # CRLF: Python 3.11's writer quotes a field holding a CR only when CR ends the line.
    writer = csv.writer(out, lineterminator="\r\n")
    reach = _has_receipts(rows)
    writer.writerow([csv_value(title) for title in _header(course, labels, language, reach)])
    for row in rows:
        average = row.average_score
        fields: list[object] = [
            row.name,
            row.cohort,
            row.joined_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            row.last_seen_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            *(
                status_text(status, score, labels)
                for status, score in zip(row.statuses, row.scores, strict=True)
            ),
            row.passed,
            "" if average is None else f"{round(average * 100)}%",
        ]
        if reach:
            fields += ["" if cell is None else cell for cell in _reach_cells(row, labels)]
        writer.writerow([csv_value(field) for field in fields])
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: CellValue, **style: object) -> Cell:
    """A cell; text through `spreadsheet_text`, written as text (never a formula)."""
    formula_like = False
    if isinstance(value, str):
        value, formula_like = spreadsheet_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if formula_like:
        cell.data_type = "s"  # openpyxl made it a formula; the quote prefix keeps it text in Excel
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _append(sheet: WriteOnlyWorksheet, values: list[Cell | CellValue]) -> None:
    """One row, every text in it written as text: nothing reaches openpyxl unchecked."""
    sheet.append([v if isinstance(v, Cell) or v is None else _cell(sheet, v) for v in values])


def _trainees_sheet(
    book: Workbook, course: Course, rows: list[TraineeRow], labels: ExportLabels, language: str
) -> None:
    sheet = book.create_sheet(labels.trainees_sheet[:31])  # Excel's limit on sheet names
    reach = _has_receipts(rows)
    header = _header(course, labels, language, reach)
    lessons = len(course.lessons)
    widths = [24, 18, 17, 17, *([16] * lessons), 10, 10, *([10] * 4 if reach else [])]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"  # the header row and the names stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    _append(sheet, [_cell(sheet, title, font=BOLD, alignment=WRAP) for title in header])
    for row in rows:
        cells: list[Cell | CellValue] = [
            row.name,
            row.cohort,
            _cell(sheet, _naive_utc(row.joined_at), number_format="yyyy-mm-dd hh:mm"),
            _cell(sheet, _naive_utc(row.last_seen_at), number_format="yyyy-mm-dd hh:mm"),
        ]
        for status, score in zip(row.statuses, row.scores, strict=True):
            text = status_text(status, score, labels)
            fill = FILLS.get(status)
            cells.append(_cell(sheet, text, fill=fill) if fill is not None else text or None)
        cells.append(row.passed)
        average = row.average_score
        cells.append(_cell(sheet, average, number_format="0%") if average is not None else None)
        if reach:
            cells += _reach_cells(row, labels)
        _append(sheet, cells)


def _summary_sheet(
    book: Workbook, stats: CohortStats, labels: ExportLabels, course: Course, language: str
) -> None:
    sheet = book.create_sheet(labels.summary_sheet[:31])
    for letter, width in zip("ABCDE", (44, 60, 12, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width

    def percent(value: float | None) -> Cell | None:
        return None if value is None else _cell(sheet, value, number_format="0%")

    _append(sheet, [_cell(sheet, stats.name, font=BOLD)])
    _append(sheet, [labels.enrolled, stats.enrolled])
    _append(sheet, [labels.active_7d, stats.active_7d])
    _append(sheet, [labels.completion, percent(stats.completion_rate)])
    _append(sheet, [labels.average, percent(stats.average_score)])
    asked = stats.asked
    _append(sheet, [labels.questions, asked.total])
    _append(sheet, [labels.unanswered, percent(asked.unanswered_share)])
    _append(sheet, [labels.waiting, asked.waiting])
    reach = stats.reach
    if reach.messages:
        _append(sheet, [labels.messages, reach.messages])
        _append(sheet, [labels.delivered, reach.delivered, percent(reach.delivered_share)])
        _append(sheet, [labels.read, reach.read, percent(reach.read_share)])
        _append(sheet, [labels.unreachable, reach.unreachable])
    _append(sheet, [])
    titles = dict(zip(course.lessons, lesson_headers(course, language), strict=True))
    heads: tuple[str, ...] = (labels.lesson, "", labels.trainees_passed, labels.share)
    _append(sheet, [_cell(sheet, t, font=BOLD) for t in heads])
    for lesson in stats.lessons:
        name = titles.get(lesson.slug, lesson.title)
        _append(sheet, [name, None, lesson.passed, percent(lesson.share)])
    if stats.most_missed:
        _append(sheet, [])
        _append(sheet, [_cell(sheet, labels.most_missed, font=BOLD)])
        heads = (labels.lesson, labels.question, labels.wrong, labels.answers, labels.share)
        _append(sheet, [_cell(sheet, t, font=BOLD) for t in heads])
        for q in stats.most_missed:
            name = titles.get(q.slug, q.lesson_title)
            _append(sheet, [name, f"{q.index + 1}. {q.text}", q.wrong, q.answers, percent(q.share)])
    if asked.total:
        _append(sheet, [])
        _append(sheet, [_cell(sheet, labels.topics, font=BOLD)])
        heads = (labels.lesson, "", labels.questions, labels.share)
        _append(sheet, [_cell(sheet, t, font=BOLD) for t in heads])
        for topic in asked.topics:
            name = titles.get(topic.slug, topic.title)
            _append(sheet, [name, None, topic.questions, percent(topic.questions / asked.total)])
        share = asked.not_covered / asked.total
        _append(sheet, [labels.not_covered, None, asked.not_covered, percent(share)])


def trainees_xlsx(
    course: Course,
    rows: list[TraineeRow],
    labels: ExportLabels,
    stats: CohortStats | None = None,
    language: str = "en",
) -> bytes:
    """The trainees as an XLSX workbook (and a summary sheet of `stats` when given)."""
    book = Workbook(write_only=True)
    _trainees_sheet(book, course, rows, labels, language)
    if stats is not None:
        _summary_sheet(book, stats, labels, course, language)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
