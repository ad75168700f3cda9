"""XLSX and CSV exports of the programme's trainees: one row each, one column per lesson."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot.db.models import Cohort
from bot.lessons.content import load_courses
from bot.lessons.model import Course
from bot.stats import CohortStats, TraineeRow, cohort_stats, trainee_rows
from bot.stats.export import ExportLabels, trainees_csv, trainees_xlsx
from tests.conftest import make_settings
from tests.stats.conftest import NOW, Programme

LABELS = ExportLabels(
    trainees_sheet="Alumnos",
    name="Nombre",
    cohort="Grupo",
    joined="Inscrito (UTC)",
    last_seen="Visto (UTC)",
    passed="Lecciones aprobadas",
    average="Promedio",
    statuses={"passed": "✔", "failed": "✘", "quiz": "prueba", "reading": "leyendo"},
    summary_sheet="Resumen",
    enrolled="Inscritos",
    active_7d="Activos 7 días",
    completion="Terminaron",
    lesson="Lección",
    trainees_passed="Aprobaron",
    share="Parte",
    most_missed="Preguntas más falladas",
    question="Pregunta",
    wrong="Mal",
    answers="Respuestas",
    questions="Preguntas hechas",
    unanswered="Sin respuesta del bot",
    waiting="Esperan al instructor",
    topics="Lo que más preguntan",
    not_covered="No viene en el curso",
    messages="Mensajes WhatsApp",
    delivered="Llegaron",
    read="Leídos",
    unreachable="Sin contacto",
    unreachable_yes="sí",
)


async def export(programme: Programme, cohort: str | None) -> tuple[bytes, str, int]:
    runtime = programme.runtime
    courses = runtime.academy.services.courses
    cohort_id = programme.cohorts[cohort] if cohort else None
    async with runtime.sessions() as session:
        rows = await trainee_rows(session, courses["sample"], cohort_id, NOW)
        stats = await cohort_stats(session, courses, cohort_id, NOW, "es", "sample")
    data = trainees_xlsx(courses["sample"], rows, LABELS, stats, "es")
    return data, trainees_csv(courses["sample"], rows, LABELS, "es"), len(rows)


async def test_xlsx_one_row_per_trainee_one_column_per_lesson(programme: Programme) -> None:
    data, _, count = await export(programme, "Alpha")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Alumnos", "Resumen"]
    sheet = book["Alumnos"]
    values = list(sheet.iter_rows(values_only=True))
    assert count == 5 and len(values) == 1 + 5
    assert values[0] == (
        "Nombre",
        "Grupo",
        "Inscrito (UTC)",
        "Visto (UTC)",
        "1. Elija un producto para empezar",
        "2. Tome fotos que den confianza",
        "Lecciones aprobadas",
        "Promedio",
    )
    ana, ben, cai, dora, eva = values[1:]
    assert ana[:2] == ("Ana", "Alpha") and ana[2] == datetime(2026, 3, 1, 9, 0)
    assert ana[4:] == ("✔ 100%", "✔ 50%", 2, 0.75)
    assert ben[4:] == ("✔ 50%", "✘ 0%", 1, 0.25)
    assert cai[4:] == ("prueba", None, 0, None)  # a lesson never opened: an empty cell
    assert dora[4:6] == ("leyendo", None)
    assert eva[0] == "Eva" and eva[6] == 2
    assert sheet["A1"].font.bold and sheet.freeze_panes == "B2"
    assert sheet.column_dimensions["A"].width > 10
    assert sheet["E2"].fill.fgColor.rgb.endswith("D9F2E1")  # passed: green
    assert sheet["F3"].fill.fgColor.rgb.endswith("F8D7DA")  # failed: red

    summary = [row[:5] for row in book["Resumen"].iter_rows(values_only=True)]
    assert summary[:8] == [
        ("Alpha", None, None, None, None),
        ("Inscritos", 5, None, None, None),
        ("Activos 7 días", 3, None, None, None),
        ("Terminaron", 0.4, None, None, None),
        ("Promedio", 4 / 6, None, None, None),
        ("Preguntas hechas", 7, None, None, None),
        ("Sin respuesta del bot", pytest.approx(2 / 7), None, None, None),
        ("Esperan al instructor", 1, None, None, None),
    ]
    assert book["Resumen"]["B7"].number_format == "0%"
    lessons_at = summary.index(("Lección", None, "Aprobaron", "Parte", None))
    assert summary[lessons_at + 1 : lessons_at + 3] == [
        ("1. Elija un producto para empezar", None, 3, 0.6, None),
        ("2. Tome fotos que den confianza", None, 2, 0.4, None),
    ]
    missed_at = summary.index(("Preguntas más falladas", None, None, None, None))
    assert summary[missed_at + 1 : missed_at + 3] == [
        ("Lección", "Pregunta", "Mal", "Respuestas", "Parte"),
        ("1. Elija un producto para empezar", "1. ¿Qué conviene vender primero?", 2, 5, 0.4),
    ]
    # The lessons asked about most, by first source, then the questions no lesson matched.
    topics = [tuple(round(v, 4) if isinstance(v, float) else v for v in r) for r in summary[-5:]]
    assert topics == [
        ("Lo que más preguntan", None, None, None, None),
        ("Lección", None, "Preguntas hechas", "Parte", None),
        ("1. Elija un producto para empezar", None, 2, round(2 / 7, 4), None),
        ("2. Tome fotos que den confianza", None, 1, round(1 / 7, 4), None),
        ("No viene en el curso", None, 2, round(2 / 7, 4), None),
    ]


async def test_xlsx_summary_without_questions(programme: Programme) -> None:
    runtime = programme.runtime
    courses = runtime.academy.services.courses
    async with runtime.sessions() as session:
        empty = Cohort(name="Vacío", course_id="sample", timezone="UTC", invite_code="EMPTY")
        session.add(empty)
        await session.commit()
        stats = await cohort_stats(session, courses, empty.id, NOW, "es")
    book = load_workbook(io.BytesIO(trainees_xlsx(courses["sample"], [], LABELS, stats, "es")))
    summary = [row[:2] for row in book["Resumen"].iter_rows(values_only=True)]
    assert summary[5:8] == [
        ("Preguntas hechas", 0),
        ("Sin respuesta del bot", None),  # no share of nothing
        ("Esperan al instructor", 0),
    ]
    assert ("Lo que más preguntan", None) not in summary


async def test_overall_csv_has_each_person_once(programme: Programme) -> None:
    data, text, count = await export(programme, None)
    rows = list(csv.reader(io.StringIO(text)))
    assert count == 7 and len(rows) == 1 + 7
    assert rows[0][4:6] == ["1. Elija un producto para empezar", "2. Tome fotos que den confianza"]
    eva = next(r for r in rows if r[0] == "Eva")
    assert eva[:4] == ["Eva", "Alpha, Beta", "2026-03-01 09:00", "2026-03-09 20:04"]
    assert eva[4:] == ["✔ 100%", "✔ 100%", "2", "100%"]
    gus = next(r for r in rows if r[0] == "Gus")
    assert gus[4:] == ["", "", "0", ""]
    book = load_workbook(io.BytesIO(data))
    assert book["Alumnos"].max_row == 1 + 7
    assert len(rows[0]) == 8  # nobody has receipts (Telegram): no receipt columns at all
    summary = [row[0] for row in book["Resumen"].iter_rows(values_only=True)]
    assert "Mensajes WhatsApp" not in summary


async def test_receipts_columns_when_someone_has_receipts(reached: Programme) -> None:
    data, text, _ = await export(reached, "Alpha")
    book = load_workbook(io.BytesIO(data))
    values = list(book["Alumnos"].iter_rows(values_only=True))
    assert values[0][8:] == ("Mensajes WhatsApp", "Llegaron", "Leídos", "Sin contacto")
    reach = {row[0]: row[8:] for row in values[1:]}
    assert reach == {
        "Ana": (2, 2, 1, None),
        "Ben": (3, 1, 0, "sí"),
        "Cai": (1, 0, 0, None),
        "Dora": (2, 1, 0, None),
        "Eva": (1, 0, 0, "sí"),
    }
    summary = [row[:3] for row in book["Resumen"].iter_rows(values_only=True)]
    at = summary.index(("Mensajes WhatsApp", 9, None))
    assert summary[at + 1 : at + 4] == [
        ("Llegaron", 4, pytest.approx(4 / 9)),
        ("Leídos", 1, pytest.approx(1 / 9)),
        ("Sin contacto", 2, None),
    ]
    rows = {r[0]: r[8:] for r in csv.reader(io.StringIO(text))}
    assert rows["Ben"] == ["3", "1", "0", "sí"] and rows["Ana"] == ["2", "2", "1", ""]
    # Beta: Fay and Gus are on Telegram: blank, not 0 (nothing is known of their messages).
    data, text, _ = await export(reached, "Beta")
    rows = {r[0]: r[8:] for r in csv.reader(io.StringIO(text))}
    assert rows == {
        "Nombre": ["Mensajes WhatsApp", "Llegaron", "Leídos", "Sin contacto"],
        "Eva": ["1", "0", "0", "sí"],
        "Fay": ["", "", "", ""],
        "Gus": ["", "", "", ""],
    }


# Names and class names are typed by people: a spreadsheet must show them, never run them.
HOSTILE = {
    '=HYPERLINK("http://x","click")': '=HYPERLINK("http://x","click")',
    "+1 555 0100": "+1 555 0100",
    "-2+3": "-2+3",
    "@SUM(A1:A9)": "@SUM(A1:A9)",
    "\tTabbed": "\tTabbed",
    "\rReturned": "\rReturned",
    "Bell\x07 Null\x00 Esc\x1b": "Bell Null Esc",
}


def hostile_rows() -> tuple[Course, list[TraineeRow], CohortStats]:
    course = load_courses(make_settings("sqlite+aiosqlite://"))["sample"]
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    rows = [
        TraineeRow(
            person_id=n,
            name=name,
            cohort="=1+1",
            joined_at=at,
            last_seen_at=at,
            statuses=("passed", ""),
            scores=(-0.5, None),
            passed=1,
        )
        for n, name in enumerate(HOSTILE, 1)
    ]
    stats = CohortStats(
        cohort_id=1,
        name="=cmd|' /C calc'!A0\x1b",
        course_id="sample",
        enrolled=len(rows),
        active_7d=-1,
        completion_rate=0.0,
        average_score=-0.5,
        lessons=[],
        most_missed=[],
    )
    return course, rows, stats


def test_xlsx_writes_typed_text_as_text_and_numbers_as_numbers() -> None:
    course, rows, stats = hostile_rows()
    book = load_workbook(io.BytesIO(trainees_xlsx(course, rows, LABELS, stats, "es")))
    sheet = book["Alumnos"]
    formulas = [
        cell.coordinate
        for name in book.sheetnames
        for row in book[name].iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    # XML keeps no bare carriage return: Excel reads one back as a line feed.
    assert names == [v.replace("\r", "\n") for v in HOSTILE.values()]
    assert {row[1].value for row in sheet.iter_rows(min_row=2)} == {"=1+1"}
    average = sheet.cell(row=2, column=8)
    assert (average.value, average.data_type) == (-0.5, "n")  # a number stays a number
    summary = book["Resumen"]
    assert summary["A1"].value == "=cmd|' /C calc'!A0"
    assert (summary["B3"].value, summary["B3"].data_type) == (-1, "n")


def test_csv_quotes_what_a_spreadsheet_would_run() -> None:
    course, rows, _ = hostile_rows()
    read = list(csv.reader(io.StringIO(trainees_csv(course, rows, LABELS, "es"))))
    names = [row[0] for row in read[1:]]
    expected = [("'" + v if v[0] in "=+-@\t\r" else v) for v in HOSTILE.values()]
    assert names == expected
    assert {row[1] for row in read[1:]} == {"'=1+1"}
    assert not any(c in "".join(names) for c in "\x00\x07\x1b")
