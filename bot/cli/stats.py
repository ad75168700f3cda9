"""`academy stats`: the coordinator's figures in the terminal, as CSV, XLSX or a PNG chart.

    academy stats                              every cohort, and the overall figures
    academy stats --cohort "Oaxaca 2025"       one cohort (by id or name)
    academy stats --format xlsx -o out.xlsx    one row per trainee, one column per lesson
    academy stats --cohort 3 --format png      the completion chart, as sent in chat

Words here are English: this is an operator's tool, not the trainees' chat.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from bot.cli.common import database, fail, settings_or_exit
from bot.config import Settings
from bot.core.payloads import whole_number
from bot.db.engine import make_sessionmaker
from bot.i18n import Translator
from bot.lessons.model import Course
from bot.stats.labels import chart_labels, export_labels
from bot.stats.model import CohortStats, TraineeRow, UnknownCourse
from bot.stats.queries import MIN_ANSWERS

ENGLISH = Translator("en")  # the operator's CLI speaks English; the chat, the person's

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession


def percent(share: float | None) -> str:
    """0.734 -> "73%"; None -> "–"."""
    return "–" if share is None else f"{round(share * 100)}%"


class Format(StrEnum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    png = "png"


class CohortNotFound(LookupError):
    """No cohort, or more than one, matches what was typed."""


stats_app = typer.Typer(
    help="Coordinator statistics: completion, activity, quiz results, questions asked, and "
    "messages delivered and read (WhatsApp, WeChat templates).",
    subcommand_metavar="",  # one command with options, no sub-commands
)


async def _find_cohort(session: AsyncSession, ref: str) -> tuple[int, str]:
    """The cohort whose id is `ref`, or whose name is `ref` (exactly, else ignoring case)."""
    from sqlmodel import col, select

    from bot.db.models import Cohort

    cohorts = [
        (c.id, c.name)
        for c in await session.exec(select(Cohort).order_by(Cohort.name, col(Cohort.id)))
        if c.id is not None
    ]
    for matches in (
        [c for c in cohorts if c[0] == whole_number(ref.strip())],
        [c for c in cohorts if c[1] == ref],
        [c for c in cohorts if c[1].casefold() == ref.strip().casefold()],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            listed = ", ".join(f"{i} ({n})" for i, n in matches)
            raise CohortNotFound(f"Several cohorts are called {ref!r}: {listed}. Use the id.")
    known = ", ".join(f"{i} ({n})" for i, n in cohorts[:20]) or "none yet"
    raise CohortNotFound(f"No cohort {ref!r}. Cohorts: {known}.")


async def _gather(
    settings: Settings, cohort_ref: str | None, course_id: str | None, language: str, fmt: Format
) -> tuple[CohortStats, list[CohortStats], Course, list[TraineeRow]]:
    """The figures the chosen format needs, in one database session."""
    from bot.db.migrate import require_current_schema
    from bot.lessons.content import load_courses
    from bot.stats.queries import all_cohort_stats, cohort_stats, main_course, trainee_rows

    courses = load_courses(settings)
    now = datetime.now(UTC)
    window = timedelta(days=settings.unreachable_after_days)
    async with database(settings) as engine:
        await require_current_schema(engine)
        async with make_sessionmaker(engine)() as session:
            cohort_id = (await _find_cohort(session, cohort_ref))[0] if cohort_ref else None
            if cohort_id is None and course_id is None:
                course_id = await main_course(session) or settings.default_course
            stats = await cohort_stats(
                session, courses, cohort_id, now, language, course_id, unreachable_after=window
            )
            course = courses[stats.course_id]
            cohorts = []
            if fmt is Format.table and cohort_id is None:
                cohorts = await all_cohort_stats(
                    session, courses, now, language, unreachable_after=window
                )
            rows = []
            if fmt in (Format.csv, Format.xlsx):
                rows = await trainee_rows(session, course, cohort_id, now, unreachable_after=window)
    return stats, cohorts, course, rows


def _figures_table(stats: CohortStats) -> Table:
    table = Table(show_header=False)
    table.add_row("Enrolled", str(stats.enrolled))
    table.add_row("Active in the last 7 days", str(stats.active_7d))
    table.add_row("Finished the course", f"{stats.completed} ({percent(stats.completion_rate)})")
    table.add_row("Average quiz score", percent(stats.average_score))
    asked = stats.asked
    table.add_row("Questions asked", str(asked.total))
    unanswered = f"{asked.unanswered} ({percent(asked.unanswered_share)})"
    table.add_row("Not answered by the bot", unanswered)
    table.add_row("Waiting for a lecturer's answer", str(asked.waiting))
    reach = stats.reach
    if reach.messages:  # only what reports receipts (WhatsApp, WeChat templates) has these
        table.add_row("Tracked messages", str(reach.messages))
        table.add_row("Reached the phone", f"{reach.delivered} ({percent(reach.delivered_share)})")
        table.add_row("Read", f"{reach.read} ({percent(reach.read_share)})")
        table.add_row("Unreachable trainees", str(reach.unreachable))
    return table


def _topics_table(stats: CohortStats) -> Table:
    asked = stats.asked
    table = Table(title="Most asked about")
    for name in ("Lesson", "Questions", "%"):
        table.add_column(name, justify="left" if name == "Lesson" else "right")
    for topic in asked.topics:
        table.add_row(topic.title, str(topic.questions), percent(topic.questions / asked.total))
    share = percent(asked.not_covered / asked.total)
    table.add_row(Text("Not covered by the course", style="italic"), str(asked.not_covered), share)
    return table


def _lessons_table(stats: CohortStats) -> Table:
    table = Table(title="Completion per lesson")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("Lesson", "left"),
        ("Passed", "right"),
        ("%", "right"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for n, lesson in enumerate(stats.lessons, 1):
        table.add_row(str(n), lesson.title, str(lesson.passed), percent(lesson.share))
    return table


def _missed_table(stats: CohortStats) -> Table:
    table = Table(title="Most missed questions")
    for name in ("Lesson", "Question", "Wrong", "Answers", "%"):
        table.add_column(name, justify="left" if name in ("Lesson", "Question") else "right")
    for q in stats.most_missed:
        table.add_row(
            q.lesson_title,
            f"{q.index + 1}. {q.text}",
            str(q.wrong),
            str(q.answers),
            percent(q.share),
        )
    return table


def _cohorts_table(cohorts: list[CohortStats]) -> Table:
    table = Table(title="Cohorts")
    columns = ("Id", "Cohort", "Course", "Enrolled", "Active 7d", "Finished", "Avg score")
    reach = any(s.reach.messages for s in cohorts)  # a Telegram-only programme has none
    receipts = ("Delivered", "Read", "Unreachable") if reach else ()
    for name in (*columns, "Questions", "Unanswered", "Waiting", *receipts):
        table.add_column(name, justify="left" if name in ("Cohort", "Course") else "right")
    for s in cohorts:
        known = s.reach.messages > 0
        reached = (
            [
                percent(s.reach.delivered_share),
                percent(s.reach.read_share),
                str(s.reach.unreachable) if known else "–",
            ]
            if reach
            else []
        )
        table.add_row(
            str(s.cohort_id),
            s.name,
            s.course_id,
            str(s.enrolled),
            str(s.active_7d),
            percent(s.completion_rate),
            percent(s.average_score),
            str(s.asked.total),
            percent(s.asked.unanswered_share),
            str(s.asked.waiting),
            *reached,
        )
    return table


def _print_tables(console: Console, stats: CohortStats, cohorts: list[CohortStats]) -> None:
    if cohorts:
        console.print(_cohorts_table(cohorts))
    scope = "All cohorts of the course " if stats.cohort_id is None else "Cohort "
    heading = Text(f"\n{scope}{stats.name} ({stats.course_id})", style="bold")
    console.print(heading)  # a Text, so brackets in a cohort's name are not read as markup
    console.print(_figures_table(stats))
    console.print(_lessons_table(stats))
    if stats.most_missed:
        console.print(_missed_table(stats))
    else:
        console.print(f"No question has {MIN_ANSWERS} answers yet: no most missed questions.")
    if stats.asked.total:
        console.print(_topics_table(stats))
    else:
        console.print("No questions asked to the bot yet.")


def _default_path(stats: CohortStats, fmt: Format) -> Path:
    scope = f"cohort-{stats.cohort_id}" if stats.cohort_id is not None else stats.course_id
    return Path(f"academy-stats-{scope}-{datetime.now(UTC):%Y%m%d}.{fmt.value}")


@stats_app.callback(invoke_without_command=True)
def stats(
    cohort: Annotated[
        str | None,
        typer.Option("--cohort", "-c", help="A cohort's id or name. Default: every cohort."),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, csv (per trainee), xlsx or png.")
    ] = Format.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here. Default: stdout (table, csv), a dated file (xlsx, png).",
        ),
    ] = None,
    course: Annotated[
        str | None,
        typer.Option(help="Overall view: the course. Default: the one most trainees follow."),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of lesson titles and questions.")] = "en",
) -> None:
    """Completion, activity, quiz results and questions asked, for one cohort or overall."""
    from bot.db.migrate import SchemaOutOfDate
    from bot.lessons.content import ContentError, MissingCourse
    from bot.runtime.loop import run_async

    settings = settings_or_exit()
    try:
        figures, cohorts, loaded, rows = run_async(_gather(settings, cohort, course, lang, fmt))
    except CohortNotFound as error:
        raise fail(str(error), 1) from error
    except UnknownCourse as error:
        raise fail(f"Unknown course: {error}", 1) from error
    except SchemaOutOfDate as error:
        raise fail(str(error), 3) from error
    except (ContentError, MissingCourse) as error:
        raise fail(f"The course content has problems: {error}", 5) from error

    if fmt is Format.table:
        if output is None:
            _print_tables(Console(), figures, cohorts)
        else:
            with output.open("w", encoding="utf-8") as file:
                _print_tables(Console(file=file, width=120), figures, cohorts)
            typer.echo(f"Wrote {output}")
        return
    if fmt is Format.csv:
        from bot.stats.export import trainees_csv

        text = trainees_csv(loaded, rows, export_labels(ENGLISH), lang)
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8-sig")  # the BOM makes Excel read UTF-8
            typer.echo(f"Wrote {len(rows)} trainees to {output}")
        return
    if fmt is Format.xlsx:
        from bot.stats.export import trainees_xlsx

        data = trainees_xlsx(loaded, rows, export_labels(ENGLISH), figures, lang)
        what = f"{len(rows)} trainees"
    else:
        from bot.stats.chart import completion_chart

        data = completion_chart(figures, chart_labels(ENGLISH))
        what = "the chart"
    target = output or _default_path(figures, fmt)
    target.write_bytes(data)
    typer.echo(f"Wrote {what} to {target}")
