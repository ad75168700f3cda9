"""`academy content export` and `academy content import`: a workbook out, checked and written back
atomically, or nothing written at all."""

from __future__ import annotations

import shutil
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli.content import content_app, write_course
from tests.conftest import SAMPLE_CONTENT

runner = CliRunner()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE_CONTENT, tmp_path / "content")
    return tmp_path / "content"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def export(content: Path, book: Path, *options: str) -> None:
    result = runner.invoke(
        content_app, ["export", "sample", "-o", str(book), "--from", str(content), *options]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote the workbook of sample to {book}.\n"


def edit(book: Path, sheet: str, cell: str, value: object) -> None:
    workbook = load_workbook(book)
    workbook[sheet][cell] = value
    workbook.save(book)


def test_export_edit_import_writes_the_course_and_keeps_its_images(
    content: Path, tmp_path: Path
) -> None:
    book = tmp_path / "sample.xlsx"
    export(content, book, "--language", "en")
    edit(book, "Cards", "D2", "A new first card.")
    result = runner.invoke(content_app, ["import", str(book), "--to", str(content)])
    assert result.exit_code == 0, result.output
    course = content / "courses" / "sample"
    assert result.output.splitlines()[-1] == f"Wrote the course sample to {course}."
    assert "A new first card." in (course / "lessons" / "first-steps.zh.md").read_text()
    assert (course / "media" / "peach.png").read_bytes() == (
        SAMPLE_CONTENT / "courses" / "sample" / "media" / "peach.png"
    ).read_bytes()
    assert sorted(p.name for p in (content / "courses").iterdir()) == ["sample"]
    assert runner.invoke(content_app, ["check", str(content)]).exit_code == 0


def test_headers_follow_the_courses_first_language_by_default(
    content: Path, tmp_path: Path
) -> None:
    book = tmp_path / "sample.xlsx"
    export(content, book)
    assert load_workbook(BytesIO(book.read_bytes())).sheetnames[1] == "课程"


def test_a_workbook_with_problems_writes_nothing(content: Path, tmp_path: Path) -> None:
    book = tmp_path / "sample.xlsx"
    export(content, book, "--language", "en")
    edit(book, "Quiz", "I2", 5)
    edit(book, "Lessons", "F2", "=1+2")
    before = files_of(content)
    result = runner.invoke(
        content_app, ["import", str(book), "--to", str(content), "--language", "zh"]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:2] == [
        "Lessons!F2: 这里是公式：请直接写内容（复制后选择“只粘贴数值”）。",
        "Quiz!I2: 正确答案是 5，可是只有 2 个选项。",
    ]
    assert all(line.startswith("⚠ Quiz!") for line in lines[2:-1])  # long options, as warnings
    assert lines[-1] == "有 2 个问题，什么都没有保存。请改好后再导入。"
    assert files_of(content) == before


def test_an_image_not_in_media_is_a_problem(content: Path, tmp_path: Path) -> None:
    book = tmp_path / "sample.xlsx"
    export(content, book, "--language", "en")
    edit(book, "Cards", "E2", "walnuts.jpg")
    result = runner.invoke(content_app, ["import", str(book), "--to", str(content)])
    assert result.exit_code == 1
    assert "unknown image 'walnuts.jpg'" in result.output


def test_a_file_that_is_not_a_workbook(content: Path, tmp_path: Path) -> None:
    book = tmp_path / "course.csv"
    book.write_text("lesson,card\n")
    result = runner.invoke(content_app, ["import", str(book), "--to", str(content)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("This is not an Excel workbook")


def test_exporting_an_unknown_course_says_so(content: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        content_app, ["export", "nope", "-o", str(tmp_path / "x.xlsx"), "--from", str(content)]
    )
    assert result.exit_code == 1
    assert result.output == f"There is no course nope in {content}.\n"


def test_exporting_a_course_with_problems_lists_them(content: Path, tmp_path: Path) -> None:
    lesson = content / "courses" / "sample" / "lessons" / "first-steps.en.md"
    lesson.write_text(lesson.read_text().replace("minutes: 3", "minutes: 0"))
    result = runner.invoke(
        content_app, ["export", "sample", "-o", str(tmp_path / "x.xlsx"), "--from", str(content)]
    )
    assert result.exit_code == 1
    assert "'minutes' must be a whole number above 0" in result.output
    assert result.output.splitlines()[-1] == (
        "The course sample has problems: fix them first (academy content check)."
    )
    assert not (tmp_path / "x.xlsx").exists()


def test_writing_a_new_course_replaces_nothing_else(tmp_path: Path) -> None:
    target = write_course(tmp_path, "new-course", {"course.yaml": b"id: new-course\n"})
    assert target == tmp_path / "courses" / "new-course"
    assert files_of(tmp_path) == {"courses/new-course/course.yaml": b"id: new-course\n"}


def test_a_leftover_from_an_interrupted_write_is_cleared(tmp_path: Path) -> None:
    leftover = tmp_path / "courses" / ".c.importing" / "lessons"
    leftover.mkdir(parents=True)
    (leftover / "old.en.md").write_text("half written")
    write_course(tmp_path, "c", {"course.yaml": b"id: c\n"})
    assert files_of(tmp_path) == {"courses/c/course.yaml": b"id: c\n"}


def test_a_course_left_aside_by_a_crash_is_put_back_first(tmp_path: Path) -> None:
    aside = tmp_path / "courses" / ".c.replaced" / "media"
    aside.mkdir(parents=True)
    (aside / "peach.png").write_bytes(b"png")
    write_course(tmp_path, "c", {"course.yaml": b"id: c\n"})
    assert files_of(tmp_path) == {
        "courses/c/course.yaml": b"id: c\n",
        "courses/c/media/peach.png": b"png",
    }


def test_import_without_a_folder_publishes_a_new_version_and_keeps_the_old(
    content: Path, tmp_path: Path
) -> None:
    book = tmp_path / "sample.xlsx"
    export(content, book, "--language", "en")
    edit(book, "Cards", "D2", "A new first card.")
    env = {"CONTENT_DIR": str(content), "CONTENT_HISTORY_DIR": str(tmp_path / "history")}
    result = runner.invoke(content_app, ["import", str(book), "--language", "en"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("Published the course sample as version 2;")
    course = content / "courses" / "sample"
    assert course.is_symlink()  # served from the history, the plain folder kept as version 1
    assert "A new first card." in (course / "lessons" / "first-steps.zh.md").read_text()
    assert (course / "media" / "peach.png").read_bytes() == (
        SAMPLE_CONTENT / "courses" / "sample" / "media" / "peach.png"
    ).read_bytes()
    first = tmp_path / "history" / "sample" / "1" / "sample" / "lessons" / "first-steps.zh.md"
    assert "A new first card." not in first.read_text()
