"""`academy content translate COURSE --to es`: draft the course's missing language with the LLM.

The drafts go into a workbook for a person to review (their rows pale yellow), never straight
to trainees: they publish it by importing it once checked. Without LLM_BASE_URL it says so and
does nothing; when the model fails nothing is written. Speaks English, like the other operator
commands (bot/cli/content_versions.py).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from bot.cli.common import settings_or_exit
from bot.config import LANGUAGES, Settings
from bot.i18n import normalise_language
from bot.lessons.content import load_course
from bot.lessons.translate import (
    Drafted,
    TranslationFailed,
    draft_translation,
    mark_drafts,
)
from bot.lessons.workbook import CourseDraft, export_draft, read_course


def translate(
    course_id: Annotated[str, typer.Argument(help="The course's id, e.g. sell-online.")],
    to: Annotated[str, typer.Option("--to", help="The language to draft: zh, es or en.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="The workbook to write. Default: COURSE.LANG-draft.xlsx"
        ),
    ] = None,
) -> None:
    """Draft what the course lacks in one language (titles, lessons, cards, quiz) with the LLM,
    into a workbook whose drafted rows are pale yellow: a person checks them, then imports it
    (`academy content import`). Nothing is published."""
    settings = settings_or_exit()
    if not settings.llm_base_url:
        fail("No LLM is configured (LLM_BASE_URL is empty): nothing was translated.")
    if to not in LANGUAGES:
        fail(f"Unknown language '{to}': give one of {', '.join(LANGUAGES)}.")
    folder = settings.content_dir / "courses" / course_id
    course, problems = load_course(folder) if folder.is_dir() else (None, [])
    if course is None:
        for problem in problems:
            typer.echo(str(problem))
        fail(f"No course '{course_id}' that loads in {settings.content_dir / 'courses'}.")
    draft = read_course(folder)
    try:
        translated, drafted = asyncio.run(_translate(settings, draft, to))
    except TranslationFailed as error:
        fail(f"The translation failed ({error}); nothing was written. Try again later.")
    if not drafted:
        typer.secho(f"The course '{course_id}' lacks nothing in '{to}': nothing to draft.")
        return
    target = output if output is not None else Path(f"{course_id}.{to}-draft.xlsx")
    sheets = normalise_language(os.environ.get("LANG"))  # the reader's, as for import
    data = mark_drafts(export_draft(translated, sheets), to, drafted, sheets)
    temporary = target.with_name(f".{target.name}.part")
    temporary.write_bytes(data)
    os.replace(temporary, target)  # the whole workbook or none
    typer.secho(f"Wrote {target}: {_what(drafted)} drafted in '{to}'.", fg="green")
    typer.echo(
        "The drafted rows are pale yellow: have a person who speaks the language check them, "
        f"then publish with `academy content import {target}`."
    )


def fail(message: str) -> NoReturn:
    typer.secho(message, fg="red", err=True)
    raise typer.Exit(1)


def _what(drafted: Drafted) -> str:
    parts = []
    if drafted.course_fields:
        parts.append("the course's " + ", ".join(drafted.course_fields))
    if drafted.lessons:
        count = len(drafted.lessons)
        parts.append(f"{count} lesson{'s' if count != 1 else ''}")
    return " and ".join(parts)


async def _translate(
    settings: Settings, draft: CourseDraft, target: str
) -> tuple[CourseDraft, Drafted]:
    """The drafts, one chat completion per text, through the project's OpenAI-compatible
    settings."""
    from openai import AsyncOpenAI

    async with AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value() or "not-needed",
        timeout=max(settings.llm_timeout, 60.0),  # a whole lesson, not one short answer
        max_retries=1,
    ) as client:

        async def complete(system: str, user: str) -> str:
            response = await client.chat.completions.create(
                model=settings.llm_model,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": user},
                ],
                temperature=0.2,
            )
            return response.choices[0].message.content or ""

        return await draft_translation(draft, target, complete)


def register(app: typer.Typer) -> None:
    app.command("translate")(translate)
