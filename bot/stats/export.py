"""Trainee exports for the coordinator's laptop: an XLSX workbook and a CSV file.

One row per trainee, one column per lesson (the status as a word or symbol, with the best quiz
score), then the lessons passed and the average score. The workbook adds a summary sheet: the
figures, completion per lesson, the most missed quiz questions and the lessons asked about most.
Column headers and status words come from the caller (`ExportLabels`), already translated;
lesson titles come from the course.
The workbook is written in openpyxl's write-only mode: 10,000 trainees take about a second.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.lessons.model import Course
from bot.stats.model import CohortStats, TraineeRow

FILLS = {  # a glance at the sheet shows where the class is stuck
    "passed": PatternFill("solid", fgColor="D9F2E1"),
    "failed": PatternFill("solid", fgColor="F8D7DA"),
}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _header(course: Course, labels: ExportLabels, language: str) -> list[str]:
    fixed = [labels.name, labels.cohort, labels.joined, labels.last_seen]
    return [*fixed, *lesson_headers(course, language), labels.passed, labels.average]


def trainees_csv(
    course: Course, rows: list[TraineeRow], labels: ExportLabels, language: str = "en"
) -> str:
    """The trainees as CSV text (dates ISO 8601 in UTC); write it as utf-8-sig for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_header(course, labels, language))
    for row in rows:
        average = row.average_score
        writer.writerow(
            [
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
        )
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: object, **style: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _trainees_sheet(
    book: Workbook, course: Course, rows: list[TraineeRow], labels: ExportLabels, language: str
) -> None:
    sheet = book.create_sheet(labels.trainees_sheet[:31])  # Excel's limit on sheet names
    header = _header(course, labels, language)
    lessons = len(course.lessons)
    widths = [24, 18, 17, 17, *([16] * lessons), 10, 10]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"  # the header row and the names stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    sheet.append([_cell(sheet, title, font=BOLD, alignment=WRAP) for title in header])
    for row in rows:
        cells: list[object] = [
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
        sheet.append(cells)


def _summary_sheet(
    book: Workbook, stats: CohortStats, labels: ExportLabels, course: Course, language: str
) -> None:
    sheet = book.create_sheet(labels.summary_sheet[:31])
    for letter, width in zip("ABCDE", (44, 60, 12, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width

    def percent(value: float | None) -> WriteOnlyCell | None:
        return None if value is None else _cell(sheet, value, number_format="0%")

    sheet.append([_cell(sheet, stats.name, font=BOLD)])
    sheet.append([labels.enrolled, stats.enrolled])
    sheet.append([labels.active_7d, stats.active_7d])
    sheet.append([labels.completion, percent(stats.completion_rate)])
    sheet.append([labels.average, percent(stats.average_score)])
    asked = stats.asked
    sheet.append([labels.questions, asked.total])
    sheet.append([labels.unanswered, percent(asked.unanswered_share)])
    sheet.append([labels.waiting, asked.waiting])
    sheet.append([])
    titles = dict(zip(course.lessons, lesson_headers(course, language), strict=True))
    heads = (labels.lesson, "", labels.trainees_passed, labels.share)
    sheet.append([_cell(sheet, t, font=BOLD) for t in heads])
    for lesson in stats.lessons:
        name = titles.get(lesson.slug, lesson.title)
        sheet.append([name, None, lesson.passed, percent(lesson.share)])
    if stats.most_missed:
        sheet.append([])
        sheet.append([_cell(sheet, labels.most_missed, font=BOLD)])
        heads = (labels.lesson, labels.question, labels.wrong, labels.answers, labels.share)
        sheet.append([_cell(sheet, t, font=BOLD) for t in heads])
        for q in stats.most_missed:
            name = titles.get(q.slug, q.lesson_title)
            sheet.append([name, f"{q.index + 1}. {q.text}", q.wrong, q.answers, percent(q.share)])
    if asked.total:
        sheet.append([])
        sheet.append([_cell(sheet, labels.topics, font=BOLD)])
        heads = (labels.lesson, "", labels.questions, labels.share)
        sheet.append([_cell(sheet, t, font=BOLD) for t in heads])
        for topic in asked.topics:
            name = titles.get(topic.slug, topic.title)
            sheet.append([name, None, topic.questions, percent(topic.questions / asked.total)])
        share = asked.not_covered / asked.total
        sheet.append([labels.not_covered, None, asked.not_covered, percent(share)])


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
