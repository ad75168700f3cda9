"""`academy content publish | history | restore`: course versions from the command line.

The command line acts as the server's operator (an admin): it may publish any course. A running
bot serves what is published at its next content check (CONTENT_CHECK_SECONDS).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.common import settings_or_exit
from bot.db.types import utcnow
from bot.lessons.content import ContentError
from bot.lessons.publishing import (
    UnknownVersion,
    publish_course,
    read_folder,
    restore_course,
)
from bot.lessons.versions import Version, live_number, versions


def publish(
    folder: Annotated[
        Path,
        typer.Argument(help="A course's folder (holding course.yaml).", show_default=False),
    ],
    course: Annotated[
        str | None,
        typer.Option("--course", help="The course id (default: the folder's name)."),
    ] = None,
) -> None:
    """Check a course folder and publish it as the course's next version; the one served until
    now is kept (`academy content history`). Nothing changes when there is any problem."""
    settings = settings_or_exit()
    if not (folder / "course.yaml").is_file():
        typer.secho(f"{folder}: no course.yaml here: give a course's folder", fg="red", err=True)
        raise typer.Exit(1)
    course_id = course or folder.resolve().name
    try:
        version = publish_course(
            settings, course_id, read_folder(folder), author=None, now=utcnow()
        )
    except ContentError as error:
        typer.echo(str(error))
        typer.secho(f"Not published: {len(error.problems)} problem(s).", fg="red")
        raise typer.Exit(1) from None
    typer.secho(f"Published {course_id} version {version.number}.", fg="green")


def history(
    course: Annotated[str, typer.Argument(help="The course id.", show_default=False)],
) -> None:
    """The course's versions, newest first; the one served now is marked."""
    settings = settings_or_exit()
    found = versions(settings, course)
    if not found:
        typer.echo(f"Course '{course}' has no published versions yet.")
        return
    served = live_number(settings, course)
    table = Table(title=f"Versions of {course}")
    for column in ("Version", "Published (UTC)", "By", "Note", "Files hash"):
        table.add_column(column)
    for version in found:
        table.add_row(
            f"{version.number}{' (served)' if version.number == served else ''}",
            version.published_at.strftime("%Y-%m-%d %H:%M"),
            _who(version),
            _note(version),
            version.files_hash[:12],
        )
    Console().print(table)


def restore(
    course: Annotated[str, typer.Argument(help="The course id.", show_default=False)],
    number: Annotated[int, typer.Argument(help="The version to bring back.", show_default=False)],
) -> None:
    """Publish an earlier version's files again, as a new version (undo it the same way)."""
    settings = settings_or_exit()
    try:
        version = restore_course(settings, course, number, author=None, now=utcnow())
    except UnknownVersion as error:
        typer.secho(f"{error}: see `academy content history {course}`", fg="red", err=True)
        raise typer.Exit(1) from None
    except ContentError as error:
        typer.echo(str(error))
        typer.secho("Not restored: that version no longer loads.", fg="red")
        raise typer.Exit(1) from None
    typer.secho(f"Restored {course} version {number} as version {version.number}.", fg="green")


def _who(version: Version) -> str:
    if version.author is None:
        return "command line" if not version.kept else "—"
    return f"{version.author.name} (#{version.author.id})"


def _note(version: Version) -> str:
    if version.kept:
        return "served before the first publish"
    if version.restored_from is not None:
        return f"restore of version {version.restored_from}"
    return ""


def register(app: typer.Typer) -> None:
    """Add the three commands to `academy content`."""
    app.command("publish")(publish)
    app.command("history")(history)
    app.command("restore")(restore)
