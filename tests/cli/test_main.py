"""`academy` started where it cannot work: one line that says what is wrong and what to do, and a
non-zero exit; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_CONTENT


def academy(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `academy ARGS` in a folder of its own (no .env), with no bot token, no input."""
    environment = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "WORKERS")}
    environment.update(CONTENT_DIR=str(SAMPLE_CONTENT), DEFAULT_COURSE="sample", BOT_TOKEN="")
    environment.update(WEB_DASHBOARD="false")  # tests run side by side: none listens on 8080
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def said_plainly(
    result: subprocess.CompletedProcess[str], *words: str, lines: int = 1
) -> list[str]:
    """The error output, checked: no traceback, `lines` lines naming `words`, a failing exit."""
    assert result.returncode not in (0, None), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    said = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(said) == lines, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return said


def under_a_file(tmp_path: Path) -> str:
    """A database path whose folder cannot exist: its parent is a regular file (this fails even
    for root, whom file modes do not stop)."""
    (tmp_path / "file.txt").write_text("not a folder")
    return f"sqlite+aiosqlite:///{tmp_path / 'file.txt' / 'sub' / 'academy.db'}"


@pytest.mark.parametrize("command", [("db", "upgrade"), ("run",), ("db", "status")])
def test_a_database_folder_that_cannot_be_made(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = academy(tmp_path, *command, DATABASE_URL=under_a_file(tmp_path))
    said_plainly(result, "file.txt", "DATABASE_URL")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only folder anyway")
def test_a_read_only_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        url = f"sqlite+aiosqlite:///{folder / 'academy.db'}"
        said_plainly(academy(tmp_path, "db", "upgrade", DATABASE_URL=url), "DATABASE_URL")
    finally:
        folder.chmod(0o755)


def test_a_missing_content_folder(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'academy.db'}"
    assert academy(tmp_path, "db", "upgrade", DATABASE_URL=url).returncode == 0
    result = academy(tmp_path, "run", DATABASE_URL=url, CONTENT_DIR=str(tmp_path / "nowhere"))
    # The content check's own report: what is wrong, then the command that checks it.
    said_plainly(result, "nowhere", "academy content check", lines=3)


def closed_port() -> int:
    """A local port nothing listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [("db", "upgrade"), ("run",), ("db", "status")])
def test_a_database_server_that_does_not_answer(tmp_path: Path, command: tuple[str, ...]) -> None:
    url = f"postgresql+asyncpg://academy@127.0.0.1:{closed_port()}/academy"
    said_plainly(academy(tmp_path, *command, DATABASE_URL=url), "DATABASE_URL")


@pytest.mark.parametrize(
    ("setting", "value", "example"),
    [("QUIET_HOURS", "after dinner", "21:00-08:00"), ("REMINDER_TIME", "7pm", "19:00")],
)
@pytest.mark.parametrize("command", [("run",), ("chat",), ("db", "status")])
def test_an_unreadable_setting_stops_every_command(
    tmp_path: Path, command: tuple[str, ...], setting: str, value: str, example: str
) -> None:
    token = "123456:AAH-never-printed"
    result = academy(tmp_path, *command, BOT_TOKEN=token, **{setting: value})
    said_plainly(result, setting, example, value)
    assert result.returncode == 2
    assert token not in result.stderr + result.stdout


def test_a_token_telegram_refuses_is_said_plainly(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'academy.db'}"
    assert academy(tmp_path, "db", "upgrade", DATABASE_URL=url).returncode == 0
    result = academy(tmp_path, "run", DATABASE_URL=url, BOT_TOKEN="not a token")
    said_plainly(result, "BOT_TOKEN", "@BotFather")
    assert result.returncode == 2


def test_telegram_out_of_reach_is_said_plainly(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'academy.db'}"
    assert academy(tmp_path, "db", "upgrade", DATABASE_URL=url).returncode == 0
    result = academy(
        tmp_path,
        "run",
        DATABASE_URL=url,
        BOT_TOKEN="123456:AAH-never-printed",
        TELEGRAM_API_URL=f"http://127.0.0.1:{closed_port()}",
    )
    said_plainly(result, "TELEGRAM_API_URL")
    assert result.returncode == 4
    assert "AAH-never-printed" not in result.stderr
