"""The console chat, driven through stdin/stdout of the real `academy` command."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.i18n import Translator
from bot.lessons.content import require_library
from tests.conftest import SAMPLE_CONTENT


@pytest.fixture(autouse=True)
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every `academy` run below uses the test's database, on the backend under test."""
    monkeypatch.setenv("DATABASE_URL", database_url)


def academy(
    tmp_path: Path,
    *args: str,
    stdin: str = "",
    sample: bool = False,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real `academy` command in tmp_path on the test's database (and the sample course
    if asked)."""
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN",)}
    env["WEB_DASHBOARD"] = "false"  # tests run side by side: only those about it listen
    env.update(extra_env or {})
    if sample:
        env["CONTENT_DIR"], env["DEFAULT_COURSE"] = str(SAMPLE_CONTENT), "sample"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )


def test_chat_refuses_an_unmigrated_database_and_names_the_fix(
    tmp_path: Path, empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    result = academy(tmp_path, "chat", stdin="/start\n")
    assert result.returncode == 3
    assert "academy db upgrade" in result.stderr


def test_chat_refuses_a_user_name_longer_than_an_id(tmp_path: Path) -> None:
    result = academy(tmp_path, "chat", "--user", "x" * 65, stdin="/start\n")
    assert result.returncode == 2 and "--user" in result.stderr
    assert academy(tmp_path, "chat", "--user", "x" * 64, stdin="/start\n").returncode == 0


def test_start_language_choice_and_resume_in_every_language(tmp_path: Path) -> None:
    assert academy(tmp_path, "db", "upgrade").returncode == 0
    zh, es, en = Translator("zh"), Translator("es"), Translator("en")

    # Ana's phone is in Chinese: the welcome is Chinese, lesson 1 is [1], the other languages
    # follow; she taps 2 (Español) and asks for help by its label.
    first = academy(
        tmp_path, "chat", "--user", "Ana", "--lang", "zh", stdin="/start\n2\n❓ Ayuda\n"
    )
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert zh("console.hint") in out
    assert zh("start.welcome", name="Ana") in out
    assert f"[1] {zh('start.lesson', number=1)}" in out
    assert "[2] Español" in out and "[3] English" in out and "中文" not in out.split("[1]")[1]
    assert es("start.welcome", name="Ana") in out and es("help.text") in out
    assert out.rstrip().endswith(es("console.bye"))

    # Ben picks English by typing its label instead of its number.
    second = academy(tmp_path, "chat", "--user", "Ben", "--lang", "es", stdin="/start\nEnglish\n")
    assert en("start.welcome", name="Ben") in second.stdout

    # Ana comes back: the choice was stored, so /start greets in Spanish without asking again.
    again = academy(tmp_path, "chat", "--user", "Ana", stdin="/start\n/quit\n")
    assert es("start.welcome", name="Ana") in again.stdout
    assert es("language.prompt") not in again.stdout


def test_digits_that_are_not_ascii_are_text_not_a_button(tmp_path: Path) -> None:
    assert academy(tmp_path, "db", "upgrade").returncode == 0
    # "²" passes str.isdigit() but not int(); int("١") is 1, which would press the first button.
    result = academy(tmp_path, "chat", "--user", "Ana", stdin="/start\n²\n١\n")
    assert result.returncode == 0, result.stderr
    assert Translator("en")("language.set") not in result.stdout
    assert result.stdout.rstrip().endswith(Translator("en")("console.bye"))


def test_run_without_a_token_opens_the_console_chat(tmp_path: Path) -> None:
    assert academy(tmp_path, "db", "upgrade").returncode == 0
    result = academy(tmp_path, "run", stdin="/start\n")
    assert result.returncode == 0, result.stderr
    assert Translator("en")("start.welcome", name="you") in result.stdout


def test_a_lesson_and_its_quiz_in_the_console_and_resume_after_restart(tmp_path: Path) -> None:
    assert academy(tmp_path, "db", "upgrade").returncode == 0
    es = Translator("es")
    lesson = require_library(SAMPLE_CONTENT)["sample"].lesson("first-steps", "es")
    # Open the lesson, read one card (button 1 is "Next"), then leave.
    first = academy(
        tmp_path, "chat", "--user", "Eva", "--lang", "es", stdin="/lesson\n1\n", sample=True
    )
    assert first.returncode == 0, first.stderr
    assert f"📖 Lección 1/2 · {lesson.title} · 2/{len(lesson.cards)}" in first.stdout

    # Come back: the lesson goes on at card 2; read the rest and answer by typing the options.
    taps = "\n".join(["/lesson"] + ["1"] * (len(lesson.cards) - 1))
    answers = "\n".join(q.options[q.answer] for q in lesson.quiz)
    second = academy(tmp_path, "chat", "--user", "Eva", stdin=f"{taps}\n{answers}\n", sample=True)
    assert second.returncode == 0, second.stderr
    out = second.stdout
    assert f"· 2/{len(lesson.cards)}" in out and f"· 1/{len(lesson.cards)}" not in out
    assert es("quiz.passed", number=1, right=2, total=2, percent=100) in out


def test_broken_content_stops_the_chat_with_the_report(tmp_path: Path) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    (content / "courses/sample/lessons/good-photos.zh.md").unlink()
    assert academy(tmp_path, "db", "upgrade").returncode == 0
    env_overrides = {"CONTENT_DIR": str(content), "DEFAULT_COURSE": "sample"}
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN",)}
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="/start\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert result.returncode == 5
    assert "course.yaml:" in result.stderr and "good-photos" in result.stderr
    assert "academy content check" in result.stderr


def test_a_class_in_the_console_from_creation_to_statistics(tmp_path: Path) -> None:
    assert academy(tmp_path, "db", "upgrade").returncode == 0

    def run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
        extra = {"ADMIN_IDS": "console:boss"}
        return academy(tmp_path, *args, stdin=stdin, sample=True, extra_env=extra)

    created = run("chat", "--user", "boss", "--lang", "en", stdin="/newcohort Peaches\n")
    code = created.stdout.split("/join ", 1)[1].split()[0]
    joined = run("chat", "--user", "ana", "--lang", "es", stdin=f"/join {code}\n/lesson\n")
    assert "✅" in joined.stdout and "Peaches" in joined.stdout
    stats = run("chat", "--user", "boss", stdin="/stats\n")
    assert "📈 " in stats.stdout and "stats-all.png" in stats.stdout
    assert (tmp_path / "data/console/stats-all.png").read_bytes().startswith(b"\x89PNG")


def test_the_chat_prints_the_dashboards_address_once_before_the_first_prompt(
    tmp_path: Path,
) -> None:
    from tests.channels.telegram.test_webhook import free_port

    assert academy(tmp_path, "db", "upgrade").returncode == 0
    port = free_port()
    extra = {"WEB_DASHBOARD": "true", "WEBHOOK_PORT": str(port)}
    result = academy(tmp_path, "chat", "--lang", "en", stdin="/quit\n", extra_env=extra)
    assert result.returncode == 0, result.stderr
    en = Translator("en")
    line = en("console.dashboard", url=f"http://127.0.0.1:{port}/web")
    assert result.stdout.count(line) == 1
    assert result.stdout.index(en("console.hint")) < result.stdout.index(line)
    assert result.stdout.index(line) < result.stdout.index("> ")


def test_a_taken_port_leaves_the_chat_working_with_a_warning(tmp_path: Path) -> None:
    import socket

    assert academy(tmp_path, "db", "upgrade").returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        extra = {"WEB_DASHBOARD": "true", "WEBHOOK_PORT": str(port)}
        result = academy(tmp_path, "chat", "--lang", "en", stdin="/start\n", extra_env=extra)
    assert result.returncode == 0, result.stderr
    assert "dashboard is off" in result.stderr and str(port) in result.stderr
    assert "Traceback" not in result.stderr
    en = Translator("en")
    assert en("console.dashboard", url="")[:20] not in result.stdout
    assert en("start.welcome", name="you") in result.stdout
