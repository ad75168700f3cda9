"""`academy plan import FILE`: a class's lesson plan from a small YAML file.

```yaml
cohort: 7KQM-3HXP          # the class's invite code, its id, or its exact name
start: 2026-12-01
weekdays: [mon, wed, fri]  # or 0-6 (Monday = 0), or Spanish or Chinese day names
time: "19:00"
```
Every problem is reported as `file:line: message`, and nothing is saved unless all is well.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer
from babel.dates import get_day_names
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import database_session, settings_or_exit
from bot.config import Settings
from bot.core.codes import normalise_code
from bot.core.payloads import whole_number
from bot.db.models import Cohort, LessonPlan, PlanStatus
from bot.lessons.yaml_lines import Located, YamlSyntaxError, parse_yaml, unknown_keys
from bot.localtime import parse_hhmm
from bot.runtime.loop import run_async
from bot.scheduling import plans

plan_app = typer.Typer(help="Lesson plans of classes.", no_args_is_help=True)
KEYS = ("cohort", "start", "weekdays", "time")
_EXTRA_NAMES = {"周天": 6, "星期天": 6, "礼拜天": 6, "tues": 1, "weds": 2, "thur": 3, "thurs": 3}


def _fold(text: str) -> str:
    """Lower case, no accents, full-width folded: "Miércoles" -> "miercoles"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).rstrip(".")


def _day_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for language in ("en", "es", "zh"):
        for width in ("wide", "abbreviated", "short"):
            for day, name in get_day_names(width, locale=language).items():
                names.setdefault(_fold(str(name)), day)
    for day, name in enumerate("一二三四五六日"):
        for prefix in ("周", "星期", "礼拜", ""):
            names.setdefault(prefix + name, day)
    names.update(_EXTRA_NAMES)
    return names


DAY_NAMES = _day_names()


def weekday_of(item: Located) -> int | None:
    """A weekday from a name in English, Spanish or Chinese, or a number 0-6 (Monday = 0)."""
    value = item.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= 6 else None
    text = _fold(item.text() or "")
    if text.isdigit():
        return int(text) if int(text) <= 6 else None
    return DAY_NAMES.get(text)


@dataclass
class PlanFile:
    """What the file says, and what is wrong with it."""

    path: Path
    problems: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    cohort: str | int | None = None
    start: date | None = None
    weekdays: list[int] = field(default_factory=list)
    time: str | None = None

    def complain(self, line: int, message: str) -> None:
        self.problems.append(
            f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}"
        )


def read_plan_file(path: Path) -> PlanFile:
    """Parse and check the file on its own (the class and dates are checked against the database
    later)."""
    found = PlanFile(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        found.complain(0, f"cannot read the file: {error}")
        return found
    try:
        parsed = parse_yaml(text)
    except YamlSyntaxError as error:
        found.complain(error.line, error.message)
        return found
    for line, message in parsed.duplicates:
        found.complain(line, message)
    if parsed.root is None or not isinstance(parsed.root.value, dict):
        found.complain(1, "the file must hold keys and values: cohort:, start:, weekdays:, time:")
        return found
    entries: dict[str, Located] = parsed.root.value
    unknown_keys(entries, KEYS, found.complain)
    for key in KEYS:
        if key not in entries:
            found.complain(1, f"missing '{key}': add it")
        else:
            found.lines[key] = entries[key].line
    if "cohort" in entries:
        _read_cohort(found, entries["cohort"])
    if "start" in entries:
        _read_start(found, entries["start"])
    if "weekdays" in entries:
        _read_weekdays(found, entries["weekdays"])
    if "time" in entries:
        _read_time(found, entries["time"])
    return found


def _read_cohort(found: PlanFile, entry: Located) -> None:
    if isinstance(entry.value, int) and not isinstance(entry.value, bool):
        found.cohort = entry.value
    elif (text := entry.text()) and text.strip():
        found.cohort = text.strip()
    else:
        found.complain(entry.line, "'cohort' must be the class's invite code, id or name")


def _read_start(found: PlanFile, entry: Located) -> None:
    if isinstance(entry.value, date) and not isinstance(entry.value, datetime):
        found.start = entry.value
        return
    try:
        found.start = date.fromisoformat((entry.text() or "").strip())
    except ValueError:
        found.complain(entry.line, f"'start' must be a date like 2026-12-01, not {entry.source!r}")


def _read_weekdays(found: PlanFile, entry: Located) -> None:
    if entry.is_list:
        items: list[Located] = entry.value
    elif isinstance(entry.value, str):  # "mon, wed, fri" written as one text
        parts = entry.value.replace("，", ",").replace("、", ",").split(",")
        items = [Located(part.strip(), entry.line, part.strip()) for part in parts if part.strip()]
    else:
        items = [entry]
    days: list[int] = []
    for item in items:
        day = weekday_of(item)
        if day is None:
            found.complain(
                item.line,
                f"unknown weekday {item.source or item.value!r}: use mon..sun, lunes..domingo, "
                "周一..周日, or 0-6 with Monday = 0",
            )
        elif day in days:
            found.complain(item.line, f"weekday {item.source!r} is listed twice")
        else:
            days.append(day)
    if not items:
        found.complain(entry.line, "'weekdays' needs at least one day, e.g. [mon, wed, fri]")
    found.weekdays = days


def _read_time(found: PlanFile, entry: Located) -> None:
    text = (entry.text() or "").strip()
    if parse_hhmm(text) is None:
        found.complain(entry.line, f"'time' must be HH:MM like \"19:00\", not {entry.source!r}")
        return
    found.time = f"{parse_hhmm(text):%H:%M}"


async def find_cohort(session: AsyncSession, ref: str | int) -> tuple[Cohort | None, str]:
    """The class by id, invite code or exact name; else None and why."""
    number = whole_number(str(ref))  # not int(): "١" is no class number, 2**40 no id either
    if number is not None:
        cohort = await session.get(Cohort, number)
        if cohort is not None:
            return cohort, ""
    code = normalise_code(str(ref))
    if code:
        found = (await session.exec(select(Cohort).where(Cohort.invite_code == code))).first()
        if found is not None:
            return found, ""
    named = list(await session.exec(select(Cohort).where(Cohort.name == str(ref))))
    if len(named) == 1:
        return named[0], ""
    if named:
        ids = ", ".join(str(c.id) for c in named)
        return None, f"{len(named)} classes are called {ref!r} (ids {ids}): give the id instead"
    return None, f"no class has the id, invite code or name {ref!r}"


async def import_plan(
    session: AsyncSession, found: PlanFile, settings: Settings, now: datetime, replace: bool
) -> tuple[LessonPlan, Cohort] | None:
    """Check the file against the database and start the plan; None (and problems) otherwise."""
    assert found.cohort is not None and found.start is not None and found.time is not None
    cohort, why = await find_cohort(session, found.cohort)
    if cohort is None:
        found.complain(found.lines["cohort"], why)
        return None
    today = now.astimezone(ZoneInfo(cohort.timezone)).date()
    if found.start < today:
        found.complain(
            found.lines["start"],
            f"start {found.start} is in the past (today is {today} in {cohort.timezone})",
        )
    at = parse_hhmm(found.time)
    if at is not None and settings.quiet.contains(at):
        found.complain(
            found.lines["time"],
            f"{found.time} is in the quiet hours ({settings.quiet_hours}): nothing is sent then",
        )
    current = await plans.current_plan(session, cohort.id or 0)
    if (
        current is not None
        and current.status in (PlanStatus.active, PlanStatus.paused)
        and not replace
    ):
        found.complain(
            found.lines["cohort"],
            f"class {cohort.name!r} already has a plan ({current.status}, id {current.id}): "
            "cancel it in the chat, or import with --replace",
        )
    if found.problems:
        return None
    plan = LessonPlan(
        cohort_id=cohort.id or 0,
        start_date=found.start,
        weekdays=plans.weekday_text(found.weekdays),
        time=found.time,
        created_at=now,
    )
    await plans.start_plan(session, plan, cohort)
    return plan, cohort


@plan_app.callback()
def plan_commands() -> None:
    """Lesson plans: each plan time opens the next lesson and tells the class."""


@plan_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The plan's YAML file.")],
    replace: Annotated[
        bool, typer.Option(help="Cancel the class's running plan and start this one.")
    ] = False,
) -> None:
    """Start a class's lesson plan from a YAML file (cohort, start, weekdays, time)."""
    from bot.db.types import utcnow

    found = read_plan_file(file)
    if found.problems:
        _fail(found)
    settings = settings_or_exit()

    async def work() -> tuple[LessonPlan, Cohort] | None:
        async with database_session(settings) as session:
            made = await import_plan(session, found, settings, utcnow(), replace)
            if made is not None:
                await session.commit()
            return made

    made = run_async(work())
    if made is None:
        _fail(found)
    plan, cohort = made
    first = plans.occurrence(plan, cohort.timezone, 0)
    names = get_day_names("abbreviated", locale="en")
    days = ", ".join(str(names[d]) for d in plans.weekday_list(plan.weekdays))
    local = first.astimezone(ZoneInfo(cohort.timezone))
    typer.echo(
        f"Plan {plan.id} for {cohort.name!r} is on: {days} at {plan.time} ({cohort.timezone}), "
        f"from {plan.start_date}. Lesson 1 opens on {local:%A %Y-%m-%d at %H:%M}."
    )


def _fail(found: PlanFile) -> NoReturn:
    typer.secho(f"{found.path}: the plan was not imported:", fg=typer.colors.RED, err=True)
    for problem in found.problems:
        typer.echo(problem, err=True)
    raise typer.Exit(1)
