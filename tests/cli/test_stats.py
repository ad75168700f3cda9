"""`academy stats` against a real database: the table, CSV, XLSX and PNG, and a wrong cohort."""

from __future__ import annotations

import asyncio
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from bot.cli.stats import stats_app
from tests.conftest import SAMPLE_CONTENT, Databases, make_settings, migrated_runtime
from tests.stats.conftest import build_programme


def academy() -> typer.Typer:
    """The real `academy` app once it mounts `stats`; until then, the same mount on its own."""
    from bot.cli import app

    if any(group.name == "stats" for group in app.registered_groups):
        return app
    alone = typer.Typer()
    alone.add_typer(stats_app, name="stats")
    return alone


@pytest.fixture(scope="module")
def env(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The programme of conftest.py in one database for the module, and the environment
    pointing at it."""
    with databases.fresh(tmp_path_factory.mktemp("cli")) as url:

        async def build() -> None:
            runtime = await migrated_runtime(make_settings(url))
            try:
                await build_programme(runtime)
            finally:
                await runtime.close()

        asyncio.run(build())
        settings = {
            "DATABASE_URL": url,
            "CONTENT_DIR": str(SAMPLE_CONTENT),
            "DEFAULT_COURSE": "sample",
        }
        yield {**settings, "COLUMNS": "160"}  # Rich would wrap long question texts at 80


def run(env: dict[str, str], *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(academy(), ["stats", *args], env=env)
    assert result.exit_code == code, result.output
    return result.output


def test_table_overall_and_for_one_cohort(env: dict[str, str]) -> None:
    overall = run(env)
    assert "Alpha" in overall and "Beta" in overall  # the cohorts table
    assert "Try it: sell peaches online" in overall  # the overall figures are the course's
    assert "43%" in overall  # 3 of 7 passed the first lesson
    assert "Who can help you set up your shop?" in overall  # the most missed question
    alpha = run(env, "--cohort", "alpha")  # a name, in any case
    assert "60%" in alpha and "40%" in alpha
    assert "Beta" not in alpha
    assert run(env, "--cohort", "1") == alpha  # or the id


def cells(output: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is `first`."""
    for line in output.splitlines():
        found = [c.strip() for c in line.strip("│┃ ").split("│")]
        if found[0] == first:
            return found
    raise AssertionError(f"no row {first!r} in:\n{output}")


def test_table_shows_questions_and_the_lessons_asked_about_most(env: dict[str, str]) -> None:
    overall = run(env)
    assert cells(overall, "Questions asked") == ["Questions asked", "10"]
    assert cells(overall, "Not answered by the bot")[1] == "3 (30%)"
    assert cells(overall, "Waiting for a lecturer's answer")[1] == "2"
    asked = overall.split("Most asked about")[1]
    assert cells(asked, "Choose one product to start with")[1:] == ["3", "30%"]
    assert cells(asked, "Take photos that make buyers trust you")[1:] == ["2", "20%"]
    assert cells(asked, "Not covered by the course")[1:] == ["3", "30%"]
    # Per cohort: questions, the share not answered, waiting for the lecturer.
    assert cells(overall, "1")[-3:] == ["7", "29%", "1"]
    assert cells(overall, "2")[-3:] == ["2", "50%", "1"]
    beta = run(env, "--cohort", "Beta")
    assert cells(beta, "Questions asked")[1] == "2"
    assert "Choose one product to start with" not in beta.split("Most asked about")[1]


def test_csv_to_stdout_and_to_a_file(env: dict[str, str], tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(run(env, "--cohort", "Beta", "--format", "csv"))))
    assert [r[0] for r in rows] == ["Name", "Eva", "Fay", "Gus"]
    assert rows[2][4:] == ["failed 0%", "", "0", "0%"]
    target = tmp_path / "all.csv"
    assert "Wrote 7 trainees" in run(env, "-f", "csv", "-o", str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8


def test_xlsx_and_png_files(env: dict[str, str], tmp_path: Path) -> None:
    sheet_path = tmp_path / "trainees.xlsx"
    run(env, "--format", "xlsx", "-o", str(sheet_path))
    book = load_workbook(sheet_path)
    assert book.sheetnames == ["Trainees", "Summary"]
    assert book["Trainees"].max_row == 1 + 7 and book["Trainees"].max_column == 4 + 2 + 2
    figures = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert (figures["Questions asked"], figures["Waiting for a lecturer's answer"]) == (10, 2)
    assert figures["Not answered by the bot"] == pytest.approx(0.3)
    assert figures["Most asked about"] is None and figures["Not covered by the course"] is None

    chart_path = tmp_path / "alpha.png"
    run(env, "--cohort", "Alpha", "--format", "png", "-o", str(chart_path))
    with Image.open(chart_path) as image:
        assert image.format == "PNG" and image.width == 1080


def test_default_file_name(env: dict[str, str], tmp_path: Path) -> None:
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        output = run(env, "--cohort", "Alpha", "--format", "xlsx")
    finally:
        os.chdir(here)
    written = list(tmp_path.glob("academy-stats-cohort-1-*.xlsx"))
    assert len(written) == 1 and written[0].name in output


def test_unknown_cohort(env: dict[str, str]) -> None:
    output = run(env, "--cohort", "Delta", code=1)
    assert "No cohort 'Delta'" in output and "1 (Alpha)" in output


def test_typed_names_are_exported_as_text_not_formulas(database_url: str, tmp_path: Path) -> None:
    """A trainee's name with a formula or control characters: the CLI's XLSX and CSV files
    still come out, and show the name as typed (minus the control characters)."""
    from bot.db.models import Cohort, Membership, Person

    async def build() -> None:
        runtime = await migrated_runtime(make_settings(database_url))
        try:
            async with runtime.sessions() as session:
                cohort = Cohort(name="@Class", course_id="sample", timezone="UTC", invite_code="X")
                session.add(cohort)
                await session.flush()
                # No NUL here: PostgreSQL stores none (test_export covers it).
                for n, name in enumerate(['=HYPERLINK("http://x","click")', "Ana\x07\x1b"]):
                    person = Person(channel="test", channel_user_id=str(n), display_name=name)
                    session.add(person)
                    await session.flush()
                    session.add(Membership(cohort_id=cohort.id, person_id=person.id))
                await session.commit()
        finally:
            await runtime.close()

    asyncio.run(build())
    env = {"DATABASE_URL": database_url, "CONTENT_DIR": str(SAMPLE_CONTENT)}
    env["DEFAULT_COURSE"] = "sample"
    sheet_path = tmp_path / "trainees.xlsx"
    run(env, "--format", "xlsx", "-o", str(sheet_path))
    book = load_workbook(sheet_path)
    cells = [c for row in book["Trainees"].iter_rows(min_row=2, max_col=2) for c in row]
    link = '=HYPERLINK("http://x","click")'
    assert [c.value for c in cells] == [link, "@Class", "Ana", "@Class"]
    assert {c.data_type for c in cells} == {"s"}
    rows = list(csv.reader(io.StringIO(run(env, "--format", "csv"))))
    assert [r[:2] for r in rows[1:]] == [["'" + link, "'@Class"], ["Ana", "'@Class"]]


def test_a_cohort_number_no_cohort_can_have(env: dict[str, str]) -> None:
    for ref in ("²", "١"):  # int() refuses the first and reads the second as 1
        assert f"No cohort {ref!r}" in run(env, "--cohort", ref, code=1)


def test_whatsapp_receipts_and_the_unreachable_window(database_url: str, tmp_path: Path) -> None:
    """One class on WhatsApp, one on Telegram: the receipts' figures and columns where there
    are receipts, "–" where there are none; UNREACHABLE_AFTER_DAYS decides who is unreachable."""
    from datetime import UTC, datetime, timedelta

    from bot.db.models import Cohort, Membership, MessageReceipt, Person

    now = datetime.now(UTC)

    async def build() -> None:
        runtime = await migrated_runtime(make_settings(database_url))
        try:
            async with runtime.sessions() as session:
                for name, channel, messages in (
                    # Rosa read hers; Juan's went 4 days ago and never arrived.
                    ("Oaxaca", "whatsapp", {"Rosa": (1, "read"), "Juan": (4, "sent")}),
                    ("Pinggu", "telegram", {"Li": (0, "")}),
                ):
                    cohort = Cohort(name=name, course_id="sample", timezone="UTC")
                    cohort.invite_code = name.upper()
                    session.add(cohort)
                    await session.flush()
                    for who, (days, status) in messages.items():
                        person = Person(channel=channel, channel_user_id=who, display_name=who)
                        session.add(person)
                        await session.flush()
                        session.add(Membership(cohort_id=cohort.id, person_id=person.id))
                        if status:
                            sent = now - timedelta(days=days, minutes=1)
                            read = sent if status == "read" else None
                            session.add(
                                MessageReceipt(
                                    channel=channel,
                                    message_ref=f"wamid.{who}",
                                    person_id=person.id,
                                    status=status,
                                    sent_at=sent,
                                    delivered_at=read,
                                    read_at=read,
                                )
                            )
                await session.commit()
        finally:
            await runtime.close()

    asyncio.run(build())
    env = {"DATABASE_URL": database_url, "CONTENT_DIR": str(SAMPLE_CONTENT), "COLUMNS": "200"}
    env["DEFAULT_COURSE"] = "sample"
    table = run(env)
    assert cells(table, "1")[-3:] == ["50%", "50%", "0"]  # Juan: not a week yet
    assert cells(table, "2")[-3:] == ["–", "–", "–"]  # Telegram reports nothing
    assert cells(table, "Tracked messages") == ["Tracked messages", "2"]
    assert cells(table, "Reached the phone")[1] == "1 (50%)"
    env["UNREACHABLE_AFTER_DAYS"] = "3"
    assert cells(run(env), "1")[-1] == "1"
    assert cells(run(env, "--cohort", "Oaxaca"), "Unreachable trainees")[1] == "1"
    assert "Tracked messages" not in run(env, "--cohort", "Pinggu")
    rows = {r[0]: r[-4:] for r in csv.reader(io.StringIO(run(env, "--format", "csv")))}
    assert rows["Juan"] == ["1", "0", "0", "yes"] and rows["Li"] == ["", "", "", ""]
