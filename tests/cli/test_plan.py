"""`academy plan import FILE`: a good file starts a plan; every broken one is refused with
`file:line: message` and exit code 1, and nothing is saved."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.plan import plan_app
from bot.db.models import Cohort, LessonPlan, Person
from tests.conftest import SAMPLE_CONTENT, make_settings, migrated_runtime

SHANGHAI = "Asia/Shanghai"


def seed(url: str) -> None:
    async def work() -> None:
        runtime = await migrated_runtime(make_settings(url))
        async with runtime.sessions() as session:
            lecturer = Person(channel="telegram", channel_user_id="7", role="lecturer")
            session.add(lecturer)
            await session.flush()
            for name, code in (
                ("Peaches", "ABCD-EFGH"),
                ("Twins", "JKMN-PQRS"),
                ("Twins", "TUVW-XYZ2"),
            ):
                session.add(
                    Cohort(
                        name=name,
                        course_id="sample",
                        timezone=SHANGHAI,
                        lecturer_id=lecturer.id,
                        invite_code=code,
                    )
                )
            await session.commit()
        await runtime.close()

    asyncio.run(work())


def stored_plans(url: str) -> list[tuple[int, str, str, str, date]]:
    async def work() -> list[tuple[int, str, str, str, date]]:
        runtime = await migrated_runtime(make_settings(url))
        async with runtime.sessions() as session:
            found = await session.exec(select(LessonPlan).order_by(LessonPlan.id))
            result = [(p.cohort_id, p.status, p.weekdays, p.time, p.start_date) for p in found]
        await runtime.close()
        return result

    return asyncio.run(work())


def test_import_a_plan_from_yaml(tmp_path: Path, database_url: str) -> None:
    url = database_url
    seed(url)
    env = {"DATABASE_URL": url, "CONTENT_DIR": str(SAMPLE_CONTENT), "DEFAULT_COURSE": "sample"}
    runner = CliRunner()

    def run(name: str, text: str, *extra: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path, runner.invoke(plan_app, ["import", str(path), *extra], env=env)

    good = (
        "cohort: abcd efgh   # the invite code\n"
        "start: 2030-12-02\n"
        "weekdays: [lun, 周三, 4]\n"
        "time: 19:00\n"  # unquoted: YAML 1.1 would read 1140
    )
    _, result = run("good.yaml", good)
    assert result.exit_code == 0, result.output
    assert "Plan 1 for 'Peaches' is on: Mon, Wed, Fri at 19:00 (Asia/Shanghai)" in result.output
    assert "Lesson 1 opens on Monday 2030-12-02 at 19:00" in result.output
    assert stored_plans(url) == [(1, "active", "0,2,4", "19:00", date(2030, 12, 2))]

    path, again = run(
        "again.yaml", good.replace("abcd efgh", "Peaches").replace("2030-12-02", "2030-12-03")
    )
    assert again.exit_code == 1
    assert f"{path}:1: class 'Peaches' already has a plan (active" in again.output
    _, replaced = run("again.yaml", path.read_text(), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert [p[1] for p in stored_plans(url)] == ["cancelled", "active"]

    path, broken = run(
        "broken.yaml",
        "cohort: 1\nstart: 2030-12-01\nweekdays: [mon, funday, Monday]\ntme: '19:00'\n",
    )
    assert broken.exit_code == 1
    for problem in (
        f"{path}:1: missing 'time': add it",
        f"{path}:3: unknown weekday 'funday'",
        f"{path}:3: weekday 'Monday' is listed twice",
        f"{path}:4: unknown key 'tme': did you mean 'time'?",
    ):
        assert problem in broken.output, broken.output

    path, database = run(
        "db.yaml", "cohort: Twins\nstart: 2030-01-01\nweekdays: mon\ntime: '7:30'\n"
    )
    assert (
        f"{path}:1: 2 classes are called 'Twins' (ids 2, 3): give the id instead" in database.output
    )
    path, late = run("late.yaml", "cohort: 2\nstart: 2020-01-01\nweekdays: 0\ntime: '22:00'\n")
    assert late.exit_code == 1
    assert f"{path}:2: start 2020-01-01 is in the past" in late.output
    assert f"{path}:4: 22:00 is in the quiet hours (21:00-08:00)" in late.output
    for name, text, line, words in (
        ("syntax.yaml", "cohort: [Peaches\nstart: 2030-12-01\n", 2, "YAML syntax error"),
        ("date.yaml", "cohort: 2\nstart: 2030-13-01\n", 2, "must be a date like"),
        ("time.yaml", "cohort: 2\nstart: 2030-12-01\nweekdays: [7]\ntime: '25:00'\n", 4, "HH:MM"),
        ("list.yaml", "- cohort\n", 1, "keys and values"),
    ):
        path, result = run(name, text)
        assert result.exit_code == 1 and f"{path}:{line}: " in result.output, result.output
        assert words in result.output
    assert len(stored_plans(url)) == 2  # nothing broken was saved


def test_a_class_number_no_class_can_have(tmp_path: Path, database_url: str) -> None:
    seed(database_url)
    env = {
        "DATABASE_URL": database_url,
        "CONTENT_DIR": str(SAMPLE_CONTENT),
        "DEFAULT_COURSE": "sample",
    }
    # Beyond PostgreSQL's integer, a digit int() reads, one it does not, and a negative number.
    for cohort in ("12345678901234", "'١'", "'²'", "-1"):
        path = tmp_path / "plan.yaml"
        path.write_text(f"cohort: {cohort}\nstart: 2030-12-02\nweekdays: mon\ntime: '19:00'\n")
        result = CliRunner().invoke(plan_app, ["import", str(path)], env=env)
        assert result.exit_code == 1, result.output
        assert f"{path}:1: no class has the id, invite code or name" in result.output
    assert stored_plans(database_url) == []
