"""`academy run --workers N`: refusals that name the missing piece, and two real worker processes
behind one port on PostgreSQL and Redis, against the fake Bot API over real HTTP."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.runtime.workers import CannotRunWorkers, check_settings
from tests.conftest import SAMPLE_CONTENT, make_settings
from tests.fakes.server import free_port
from tests.fakes.telegram_server import FakeTelegram

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/x"


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"webhook_url": ""}, "WEBHOOK_URL"),
        ({"database_url": "sqlite+aiosqlite:///a.db"}, "PostgreSQL"),
        ({"redis_url": ""}, "REDIS_URL"),
        ({"bot_token": ""}, "BOT_TOKEN"),
    ],
)
def test_several_workers_need_webhook_postgresql_and_redis(
    overrides: dict[str, str], names: str
) -> None:
    values = {
        "bot_token": "1:x",
        "webhook_url": "https://bot.example.org/tg",
        "redis_url": "redis://127.0.0.1:6379/0",
        **overrides,
    }
    settings = make_settings(values.pop("database_url", PG), **values)
    check_settings(settings, 1)  # one worker needs none of it
    with pytest.raises(CannotRunWorkers, match=names):
        check_settings(settings, 2)


def test_the_command_refuses_with_exit_code_2(tmp_path: Path) -> None:
    env = {**os.environ, "BOT_TOKEN": "1:x", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/a.db"}
    env.update(WEBHOOK_URL="https://bot.example.org/tg", REDIS_URL="redis://127.0.0.1:6379/0")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "PostgreSQL" in done.stderr


def metrics_dir_of(pid: int) -> Path:
    """The PROMETHEUS_MULTIPROC_DIR a running process was given."""
    for entry in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
        name, _, value = entry.decode().partition("=")
        if name == "PROMETHEUS_MULTIPROC_DIR":
            return Path(value)
    raise AssertionError(f"process {pid} has no PROMETHEUS_MULTIPROC_DIR")


def metric_files(folder: Path, pattern: str) -> list[Path]:
    return list(folder.glob(pattern))


class StderrLines:
    """Every line a process writes to stderr, read as it comes (a thread drains the pipe, so a
    chatty process never blocks on a full pipe and the test can wait for a line)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self._pipe = process.stderr
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self._pipe:
            self.lines.append(line)

    def count(self, text: str) -> int:
        return sum(text in line for line in list(self.lines))

    async def wait_for(self, text: str, times: int = 1) -> None:
        for _ in range(600):  # a minute
            if self.count(text) >= times:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {times} x {text!r} in:\n{self.text()}")

    def text(self) -> str:
        self._reader.join(timeout=10)
        return "".join(self.lines)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


async def test_two_workers_share_the_port_and_survive_a_crash(postgres_url: str) -> None:
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        await redis.ping()
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    finally:
        await redis.aclose()
    engine = make_engine(make_settings(postgres_url))
    await upgrade(engine)
    await engine.dispose()
    async with FakeTelegram() as fake:
        port = free_port()
        env = {
            **os.environ,
            "BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.base_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/webhook",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "DATABASE_URL": postgres_url,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CONTENT_DIR": str(SAMPLE_CONTENT),
            "DEFAULT_COURSE": "sample",
            "DEFAULT_LANGUAGE": "en",
            "SEND_RATE_PER_CHAT": "100",
            "SEND_BURST_PER_CHAT": "100",
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the supervisor makes one
        supervisor = subprocess.Popen(  # noqa: ASYNC220 - a long-lived server, not awaited
            [sys.executable, "-m", "bot", "run", "--workers", "2"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        stderr = StderrLines(supervisor)
        try:
            # Both workers listen before anyone talks (under load one may start much later).
            await stderr.wait_for("worker 1 of 2 listening")
            await stderr.wait_for("worker 2 of 2 listening")
            for _ in range(150):  # the lead worker registers the webhook
                if fake.webhook_url:
                    break
                await asyncio.sleep(0.2)
            assert fake.webhook_url == env["WEBHOOK_URL"]
            workers = children(supervisor.pid)
            assert len(workers) == 2
            metrics = metrics_dir_of(workers[0])

            async def talk(number: int) -> None:
                person = fake.user(5000 + number, f"P{number}", language_code="en")
                await person.send_text("/help")
                assert (await person.wait_messages(1, timeout=20))[0].text

            await asyncio.gather(*(talk(n) for n in range(20)))

            os.kill(workers[1], signal.SIGKILL)  # a worker dies: it is started again
            for _ in range(100):
                now = children(supervisor.pid)
                if len(now) == 2 and workers[1] not in now:
                    break
                await asyncio.sleep(0.2)
            assert len(now) == 2 and workers[1] not in now
            # The dead worker's live gauges are dropped; its counters stay counted.
            assert not metric_files(metrics, f"gauge_live*_{workers[1]}.db")
            assert metric_files(metrics, f"counter_{workers[1]}.db")
            await stderr.wait_for("of 2 listening", times=3)  # the new worker listens
            await asyncio.gather(*(talk(n) for n in range(20, 40)))
        finally:
            supervisor.send_signal(signal.SIGTERM)
            try:
                code = supervisor.wait(timeout=30)
            except subprocess.TimeoutExpired:
                supervisor.kill()
                raise
            log = stderr.text()
        assert code == 0, log
        assert "starting it again" in log
