"""`academy stats` against a real database: the table, CSV, XLSX and PNG, and a wrong cohort."""

from __future__ import annotations

import asyncio
import csv
import io
import os
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from PIL import Image
from typer.testing import CliRunner

from bot.stats.cli import stats_app
from tests.conftest import SAMPLE_CONTENT, make_settings, migrated_runtime
from tests.stats.conftest import build_programme


def academy() -> typer.Typer:
    """The real `academy` app once it mounts `stats`; until then, the same mount on its own."""
    from bot.__main__ import app

    if any(group.name == "stats" for group in app.registered_groups):
        return app
    alone = typer.Typer()
    alone.add_typer(stats_app, name="stats")
    return alone


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The programme of conftest.py in an SQLite file, and the environment pointing at it."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('cli') / 'academy.db'}"

    async def build() -> None:
        runtime = await migrated_runtime(make_settings(url))
        try:
            await build_programme(runtime)
        finally:
            await runtime.close()

    asyncio.run(build())
    settings = {"DATABASE_URL": url, "CONTENT_DIR": str(SAMPLE_CONTENT), "DEFAULT_COURSE": "sample"}
    return {**settings, "COLUMNS": "160"}  # Rich would wrap long question texts at 80


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
