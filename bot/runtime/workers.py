"""`academy run --workers N`: N webhook worker processes behind one port, kept running.

The supervisor checks that several workers can work together (a webhook, PostgreSQL for the
per-person lock, Redis for the shared sending budget), gives them one directory for their
Prometheus metrics, starts `academy run --worker-index i` N times and then only watches:

- a worker that exits unexpectedly is started again after a pause (1 s, doubling up to 30 s while
  it keeps failing within a minute), and its live metrics are dropped;
- a worker that exits with a configuration error (exit codes 2 to 5: bad settings, old schema,
  Telegram unreachable, broken content) stops them all with the same code: restarting cannot help;
- SIGTERM or SIGINT is passed on to every worker, which finish the update in hand and stop.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings

log = logging.getLogger(__name__)

CONFIG_ERRORS = {2, 3, 4, 5}
STOP_GRACE = 20.0  # seconds a worker gets to finish before it is killed


@dataclass(frozen=True)
class Worker:
    """Which of the worker processes this one is; the first one leads: it registers web-hooks
    and menus and runs the delivery ticker."""

    index: int = 0
    count: int = 1

    @property
    def lead(self) -> bool:
        return self.index == 0


ONLY = Worker()  # a single process: leads


class CannotRunWorkers(ValueError):
    """These settings do not allow more than one worker; the message says what to change."""


def check_settings(settings: Settings, count: int) -> None:
    """Raise CannotRunWorkers when `count` workers cannot share the work with these settings."""
    if count <= 1:
        return
    if not settings.bot_token:
        raise CannotRunWorkers("Several workers serve Telegram: set BOT_TOKEN.")
    if not settings.webhook_url:
        raise CannotRunWorkers(
            "Several workers need WEBHOOK_URL: Telegram's long polling allows one reader."
        )
    if not settings.database_url.startswith("postgresql"):
        raise CannotRunWorkers(
            "Several workers need PostgreSQL (DATABASE_URL=postgresql+asyncpg://...): SQLite "
            "cannot serialise one person's updates across processes."
        )
    if not settings.redis_url:
        raise CannotRunWorkers(
            "Several workers need REDIS_URL, so they share one sending budget instead of each "
            "sending at Telegram's whole limit."
        )


@dataclass
class _Child:
    index: int
    process: subprocess.Popen[bytes]
    started: float
    failures: int = 0


class Supervisor:
    """Starts and watches the worker processes (see the module docstring)."""

    def __init__(self, count: int, command: list[str] | None = None) -> None:
        self.count = count
        self.command = command or [sys.executable, "-m", "bot", "run"]
        self.stopping = False
        self.children: dict[int, _Child] = {}
        self.metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
            prefix="academy-metrics-"
        )
        for stale in Path(self.metrics_dir).glob("*.db"):  # a previous run's counts
            stale.unlink()
        # The workers inherit it; mark_worker_dead reads it here too.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = self.metrics_dir
        self._deadline: float | None = None  # when stopping: kill what still runs after this

    def _start(self, index: int, failures: int = 0) -> None:
        env = {**os.environ, "WORKERS": str(self.count)}
        process = subprocess.Popen([*self.command, "--worker-index", str(index)], env=env)
        self.children[index] = _Child(index, process, time.monotonic(), failures)
        log.info("worker %d started (pid %d)", index + 1, process.pid)

    def _stop_all(self, *_: object) -> None:
        self.stopping = True
        for child in self.children.values():
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)

    def run(self) -> int:
        """Run until stopped; the exit code for the whole service."""
        signal.signal(signal.SIGTERM, self._stop_all)
        signal.signal(signal.SIGINT, self._stop_all)
        for index in range(self.count):
            self._start(index)
        code = 0
        restarts: dict[int, float] = {}  # index -> when to start it again
        while not self.stopping or any(c.process.poll() is None for c in self.children.values()):
            time.sleep(0.2)
            now = time.monotonic()
            for index, child in list(self.children.items()):
                status = child.process.poll()
                if status is None or index in restarts:
                    continue
                from bot.metrics import mark_worker_dead

                mark_worker_dead(child.process.pid)
                if self.stopping:
                    continue
                if status in CONFIG_ERRORS:
                    log.error("worker %d exited with code %d: stopping all", index + 1, status)
                    code = status
                    self._stop_all()
                    continue
                failures = child.failures + 1 if now - child.started < 60 else 0
                pause = min(30.0, 2.0**failures)
                log.error(
                    "worker %d exited with code %s; starting it again in %.0f s",
                    index + 1,
                    status,
                    pause,
                )
                child.failures = failures
                restarts[index] = now + pause
            for index, when in list(restarts.items()):
                if self.stopping:
                    restarts.pop(index)
                elif now >= when:
                    restarts.pop(index)
                    self._start(index, self.children[index].failures)
            if self.stopping:
                self._kill_stragglers()
        return code

    def _kill_stragglers(self) -> None:
        if self._deadline is None:
            self._deadline = time.monotonic() + STOP_GRACE
            return
        if time.monotonic() > self._deadline:
            for child in self.children.values():
                if child.process.poll() is None:
                    log.warning("worker %d did not stop in time: killing it", child.index + 1)
                    child.process.kill()
