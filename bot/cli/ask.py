"""`academy ask`: a question to the course, as a trainee would ask it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import fail_content, settings_or_exit
from bot.lessons.content import ContentError, MissingCourse
from bot.runtime.loop import run_async

if TYPE_CHECKING:
    from bot.qa.model import AnswerJSON


def ask(
    question: Annotated[str, typer.Argument(help="The question, in the trainee's words.")],
    lang: Annotated[str, typer.Option(help="zh, es or en.")] = "en",
    course: Annotated[str | None, typer.Option(help="Course id (default: DEFAULT_COURSE).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Ask the course a question, as a trainee would (nothing is stored)."""
    import json

    from bot.i18n import normalise_language

    settings = settings_or_exit()

    async def main() -> AnswerJSON:
        from bot.lessons.content import load_courses
        from bot.qa.setup import make_asker

        courses = load_courses(settings)
        asker = make_asker(settings, courses)
        chosen = courses.get(course or settings.default_course)
        if chosen is None:
            raise typer.BadParameter(f"no course {course!r}; have {', '.join(courses)}")
        answer = await asker.answer(question, normalise_language(lang), chosen)
        return answer.to_json()

    try:
        result = run_async(main())
    except (ContentError, MissingCourse) as error:
        raise fail_content(error) from error
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    typer.echo(result["answer"])
    for source in result["sources"]:
        typer.echo(f"  · {source['lesson']}: {source['title']} ({source['score']})")
