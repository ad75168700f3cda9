"""`academy content check [PATH]`: print every problem in the courses as `file:line: message`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import bot
from bot.cli.common import settings_or_exit
from bot.cli.content_versions import register as register_versions
from bot.lessons.content import (
    Problem,
    load_course,
    load_library,
    screen_warnings,
    template_warnings,
)
from bot.lessons.model import Course

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
