"""`academy certificate`: checking a certificate's code."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import database_session, settings_or_exit
from bot.runtime.loop import run_async

certificate_app = typer.Typer(help="Course certificates.", no_args_is_help=True)


@certificate_app.command("verify")
def certificate_verify(
    code: Annotated[str, typer.Argument(help="The code on the certificate.")],
) -> None:
    """Check a certificate's code: who completed which course, and when. Exit 1 if unknown."""
    settings = settings_or_exit()

    async def main() -> str | None:
        from bot.lessons.certificates import find_certificate
        from bot.lessons.content import load_courses

        courses = load_courses(settings)
        async with database_session(settings) as session:
            found = await find_certificate(session, code)
        if found is None:
            return None
        course = courses.get(found.course_id)
        title = course.text_in(course.title, "en") if course else found.course_id
        return (
            f"Valid: {found.name} completed {title!r} on {found.issued_at:%Y-%m-%d} ({found.code})."
        )

    verdict = run_async(main())
    if verdict is None:
        typer.secho(f"No certificate has the code {code!r}.", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    typer.echo(verdict)
