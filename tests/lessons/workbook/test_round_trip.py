"""Export then import gives the course back: the starter course byte for byte."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot.config import LANGUAGES
from bot.lessons.content import load_course
from bot.lessons.workbook import export_course, export_draft, import_workbook, read_course
from tests.lessons.workbook.books import SAMPLE, STARTER, edited, imported, put, starter_book


def course_files_on_disk() -> dict[str, bytes]:
    return {
        str(path.relative_to(STARTER)): path.read_bytes()
        for path in sorted(STARTER.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_starter_course_comes_back_byte_for_byte(language: str) -> None:
    result = imported(starter_book(language), language)
    assert result.errors == []
    assert result.course_id == "sell-online"
    assert result.files == course_files_on_disk()


def test_a_course_with_images_comes_back_as_the_loader_reads_it(tmp_path) -> None:
    media = [path.name for path in (SAMPLE / "media").iterdir()]
    result = import_workbook(export_course(SAMPLE, "es"), "es", media=media)
    assert result.errors == []
    folder = tmp_path / "sample"
    for path, content in result.files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(content)
    (folder / "media").symlink_to(SAMPLE / "media")
    before, _ = load_course(SAMPLE)
    after, problems = load_course(folder)
    assert problems == [] and before is not None and after is not None
    for key, lesson in before.texts.items():
        again = after.texts[key]
        assert [(c.text, c.image) for c in again.cards] == [(c.text, c.image) for c in lesson.cards]
        assert again.quiz == lesson.quiz
        assert (again.title, again.summary, again.minutes) == (
            lesson.title,
            lesson.summary,
            lesson.minutes,
        )
    assert (
        b"![A peach cut in half next to a coin](peach.png)"
        in result.files["lessons/good-photos.en.md"]
    )


def test_headers_sheets_and_fields_are_written_in_the_lecturers_language() -> None:
    book = load_workbook(BytesIO(starter_book("zh")))
    assert book.sheetnames == [
        "说明",
        "课程",
        "小课",
        "卡片",
        "小题",
        "WhatsApp 模板",
        "WeChat 模板",
    ]
    quiz = book["小题"]
    assert [cell.value for cell in quiz[1]][:5] == ["小课代号", "题号", "语言", "题目", "选项1"]
    assert quiz.freeze_panes == "A2"
    assert quiz.column_dimensions["D"].width == 40
    assert quiz["D2"].alignment.wrap_text
    lists = {str(v.sqref): v.formula1 for v in quiz.data_validations.dataValidation}
    answer = next(v for v in quiz.data_validations.dataValidation if str(v.sqref) == "I2:I5000")
    assert lists["C2:C5000"] == '"zh,es,en"'
    assert lists["A2:A5000"] == "'小课'!$B$2:$B$5000"  # a lesson is picked from the lessons sheet
    assert (answer.type, answer.formula1, answer.formula2) == ("whole", "1", "4")
    assert "怎样修改这门课" in book["说明"]["A1"].value


def test_a_workbook_with_chinese_headers_is_read_and_reported_in_spanish() -> None:
    data = edited(put("小题", "I2", 5), starter_book("zh"))
    assert [str(error) for error in imported(data, "es").errors] == [
        "小题!I2: la respuesta correcta es la 5, pero hay 3 opciones."
    ]


def test_a_change_in_the_workbook_reaches_the_lesson_file() -> None:
    result = imported(edited(put("Cards", "D2", "A new first card.")))
    assert result.errors == []
    text = result.files["lessons/getting-started.zh.md"].decode()
    assert text.split("---\n", 2)[2].startswith("A new first card.\n\n---\n")


def test_rows_in_another_order_give_the_same_files() -> None:
    def shuffle(book) -> None:
        sheet = book["Cards"]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
        rows.reverse()
        for number, values in enumerate(rows, 2):
            for column, value in enumerate(values, 1):
                sheet.cell(row=number, column=column, value=value)

    assert imported(edited(shuffle)).files == imported(starter_book()).files


def test_text_that_starts_with_an_equals_sign_stays_text() -> None:
    draft = read_course(STARTER)
    draft.texts[("getting-started", "zh")].title = "=1+1 不是公式"
    result = imported(export_draft(draft, "en"))
    assert result.errors == []
    assert "title: =1+1 不是公式" in result.files["lessons/getting-started.zh.md"].decode()
