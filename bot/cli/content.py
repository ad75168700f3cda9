"""`academy content check|export|import`: course files checked, and a course as a workbook.

    academy content check [PATH]                  every problem as `file:line: message`
    academy content export COURSE -o course.xlsx  the course as a workbook for a lecturer
    academy content import course.xlsx           checked; written only when there is no problem

check speaks English (an operator's tool); export and import speak the lecturer's language.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

import bot
from bot.cli.common import settings_or_exit
from bot.cli.content_versions import register as register_versions
from bot.config import LANGUAGES
from bot.db.types import utcnow
from bot.i18n import Translator, normalise_language
from bot.lessons.content import (
    ContentError,
    Problem,
    load_course,
    load_library,
    screen_warnings,
    template_warnings,
)
from bot.lessons.model import Course
from bot.lessons.publishing import publish_course, read_folder
from bot.lessons.workbook import ImportResult, export_course, import_workbook, too_big

DEFAULT_CONTENT_DIR = Path(bot.__file__).resolve().parents[1] / "content"

content_app = typer.Typer(help="Course content: lessons, quizzes and images.", no_args_is_help=True)


@content_app.callback()
def content() -> None:
    """Course content: lessons, quizzes and images."""


# Versions: publish, history, restore (bot/cli/content_versions.py).
register_versions(content_app)


@content_app.command("check")
def check(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The content folder (holding courses/), or one course's folder. "
            "Default: the configured content folder.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check the courses and print every problem; exit 1 if there is any. Cards longer than a
    phone screen are printed as warnings and do not change the exit code."""
    target = path if path is not None else _configured_content_dir()
    courses: list[Course]
    if (target / "course.yaml").is_file():
        course, problems = load_course(target)
        courses = [course] if course is not None else []
    else:
        library, problems = load_library(target)
        courses = list(library.values())
    warnings = [
        warning
        for course in courses
        for warning in (*screen_warnings(course), *template_warnings(course))
    ]
    for problem in warnings + problems:
        typer.echo(str(problem))
    if problems:
        typer.secho(_problems_summary(problems), fg=typer.colors.RED)
        raise typer.Exit(1)
    summary = _ok_summary(courses)
    if warnings:
        summary += f" ({_plural(len(warnings), 'warning')})"
    typer.secho(summary, fg=typer.colors.GREEN)


def _configured_content_dir() -> Path:
    return Path(getattr(settings_or_exit(), "content_dir", DEFAULT_CONTENT_DIR))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _problems_summary(problems: list[Problem]) -> str:
    files = len({problem.path for problem in problems})
    return f"{_plural(len(problems), 'problem')} in {_plural(files, 'file')}"


def _ok_summary(courses: list[Course]) -> str:
    lessons = sum(len(course.lessons) for course in courses)
    counts = {len(course.languages) for course in courses}
    if len(counts) == 1:
        checked = f"{_plural(lessons, 'lesson')} × {_plural(counts.pop(), 'language')}"
    else:  # courses in different numbers of languages
        checked = _plural(sum(len(course.texts) for course in courses), "lesson text")
    return f"OK: {_plural(len(courses), 'course')}, {checked} checked"


@content_app.command("export")
def export(
    course_id: Annotated[str, typer.Argument(help="The course's id, e.g. sell-online.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    language: Annotated[
        str | None,
        typer.Option(
            help="Language of the column names: zh, es or en. Default: the course's first."
        ),
    ] = None,
    content_dir: Annotated[
        Path | None, typer.Option("--from", help="The content folder. Default: the configured one.")
    ] = None,
) -> None:
    """Write a course as a workbook a lecturer edits in Excel or WPS."""
    root = content_dir if content_dir is not None else _configured_content_dir()
    folder = root / "courses" / course_id
    course, problems = load_course(folder) if folder.is_dir() else (None, [])
    t = Translator(normalise_language(language or os.environ.get("LANG")))
    if course is None:
        for problem in problems:
            typer.echo(str(problem))
        key = "workbook.cli.broken_course" if problems else "workbook.cli.unknown_course"
        command = "academy content check"
        typer.secho(t(key, course=course_id, path=root, command=command), fg="red")
        raise typer.Exit(1)
    sheet_language = language if language in LANGUAGES else course.languages[0]
    output.write_bytes(export_course(folder, sheet_language))
    typer.secho(t("workbook.cli.exported", course=course_id, path=output), fg="green")


@content_app.command("import")
def import_(
    workbook: Annotated[Path, typer.Argument(help="The .xlsx file a lecturer filled in.")],
    to: Annotated[
        Path | None,
        typer.Option("--to", help="The content folder to write into. Default: the configured one."),
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Language of the report: zh, es or en. Default: from LANG.")
    ] = None,
) -> None:
    """Check a course workbook and write its course files; nothing is written if any problem
    remains. Every problem is printed with its sheet and cell."""
    root = to if to is not None else _configured_content_dir()
    report_language = normalise_language(language or os.environ.get("LANG"))
    t = Translator(report_language)
    # a huge file is refused on its size, before it is read
    result = too_big(workbook.stat().st_size, report_language) or _import(
        workbook.read_bytes(), report_language, root
    )
    for error in result.errors:
        typer.echo(str(error))
    for warning in result.warnings:
        typer.echo(f"⚠ {warning}")
    if result.errors or result.course_id is None:
        typer.secho(t("workbook.cli.refused", count=len(result.errors)), fg="red")
        raise typer.Exit(1)
    if result.warnings:
        typer.secho(t("workbook.cli.warnings", count=len(result.warnings)), fg="yellow")
    if to is not None:  # a folder to look at or publish later: written as it is
        target = write_course(root, result.course_id, result.files)
        typer.secho(t("workbook.cli.imported", course=result.course_id, path=target), fg="green")
        return
    version = _publish(result.course_id, result.files, root)
    typer.secho(
        t(
            "workbook.cli.published",
            course=result.course_id,
            version=version,
            command=f"academy content history {result.course_id}",
        ),
        fg="green",
    )


def _publish(course_id: str, files: dict[str, bytes], content_dir: Path) -> int:
    """Serve an imported course as its next version (the one served until now kept in the
    history), with the images of the course's media/ folder; the number of the new version."""
    media = content_dir / "courses" / course_id / "media"
    images = read_folder(media) if media.is_dir() else {}
    everything = {**{f"media/{name}": data for name, data in images.items()}, **files}
    try:
        return publish_course(
            settings_or_exit(), course_id, everything, author=None, now=utcnow()
        ).number
    except ContentError as error:  # the workbook's own check passed: a problem of the folder
        typer.echo(str(error))
        raise typer.Exit(1) from None


def _import(data: bytes, language: str, content_dir: Path) -> ImportResult:
    """Import, checking the images it names against the course's media/ folder (kept on write)."""
    result = import_workbook(data, language, media=None)
    if result.course_id is None or result.errors:
        return result
    media = content_dir / "courses" / result.course_id / "media"
    names = [str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()]
    return import_workbook(data, language, media=names)


def write_course(content_dir: Path, course_id: str, files: dict[str, bytes]) -> Path:
    """Replace content_dir/courses/<id>/ with `files`, keeping its media/ folder.

    Written to a sibling folder first, then swapped in with two renames, so the bot never reads
    a half-written course. (Publishing with history replaces this function.)
    """
    courses = content_dir / "courses"
    target = courses / course_id
    fresh = courses / f".{course_id}.importing"
    old = courses / f".{course_id}.replaced"
    if old.is_dir() and not target.exists():  # a crash between the two renames below
        old.rename(target)
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    for path, content in files.items():
        (fresh / path).parent.mkdir(parents=True, exist_ok=True)
        (fresh / path).write_bytes(content)
    if (target / "media").is_dir():
        shutil.copytree(target / "media", fresh / "media")
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target
