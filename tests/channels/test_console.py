"""The console chat, driven through stdin/stdout of the real `academy` command."""

import os
import subprocess
import sys
from pathlib import Path

from bot.i18n import Translator


def academy(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )


def test_chat_refuses_an_unmigrated_database_and_names_the_fix(tmp_path: Path) -> None:
    result = academy(tmp_path, "chat", stdin="/start\n")
    assert result.returncode == 3
    assert "academy db upgrade" in result.stderr


def test_start_language_choice_and_resume_in_every_language(tmp_path: Path) -> None:
    assert academy(tmp_path, "db", "upgrade").returncode == 0
    zh, es, en = Translator("zh"), Translator("es"), Translator("en")

    # Ana's phone is in Chinese; she taps 2 (Español) and asks for help by its label.
    first = academy(
        tmp_path, "chat", "--user", "Ana", "--lang", "zh", stdin="/start\n2\n❓ Ayuda\n"
    )
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert zh("console.hint") in out
    assert zh("start.welcome", name="Ana") in out
    assert "[1] ✓ 中文" in out and "[2] Español" in out and "[3] English" in out
    assert es("language.set") in out and es("help.text") in out
    assert out.rstrip().endswith(es("console.bye"))

    # Ben picks English by typing its label instead of its number.
    second = academy(tmp_path, "chat", "--user", "Ben", "--lang", "es", stdin="/start\nEnglish\n")
    assert en("language.set") in second.stdout

    # Ana comes back: the choice was stored, so /start greets in Spanish without asking again.
    again = academy(tmp_path, "chat", "--user", "Ana", stdin="/start\n/quit\n")
    assert es("start.welcome", name="Ana") in again.stdout
    assert es("language.prompt") not in again.stdout


def test_run_without_a_token_opens_the_console_chat(tmp_path: Path) -> None:
    assert academy(tmp_path, "db", "upgrade").returncode == 0
    result = academy(tmp_path, "run", stdin="/start\n")
    assert result.returncode == 0, result.stderr
    assert Translator("en")("start.welcome", name="you") in result.stdout
