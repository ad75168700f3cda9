"""The metrics themselves: the Academy's outcomes, LLM failures over a real HTTP fake, and
several worker processes adding up into one scrape."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from openai import AsyncOpenAI
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.qa.llm import LLMAnswerer, transcribe
from bot.qa.model import Hit, Passage
from tests.conftest import Trainee, make_settings, migrated_runtime
from tests.fakes.openai_server import FakeOpenAI

ROOT = Path(__file__).parents[1]
HITS = [Hit(Passage("sample", "photos-light", "en", "Light", 0, "Use daylight."), 1.0)]


def value(name: str, **labels: str) -> float:
    """A sample of this process's registry (0 when it does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Deltas:
    """How much some samples grew since it was made."""

    def __init__(self, *samples: tuple[str, dict[str, str]]) -> None:
        self.samples = samples
        self.before = [value(name, **labels) for name, labels in samples]

    def __call__(self) -> list[float]:
        after = [value(name, **labels) for name, labels in self.samples]
        return [a - b for a, b in zip(after, self.before, strict=True)]


async def test_the_academy_counts_each_message_by_kind_and_outcome(database_url: str) -> None:
    runtime = await migrated_runtime(make_settings(database_url, flood_max_messages=3))
    try:
        ana = Trainee(runtime, "m1", "Ana", "en")
        deltas = Deltas(
            ("academy_updates_total", {"kind": "command", "outcome": "ok"}),
            ("academy_updates_total", {"kind": "text", "outcome": "rejected"}),
            ("academy_updates_total", {"kind": "command", "outcome": "throttled"}),
            ("academy_handler_seconds_count", {}),
        )
        await ana.send("/help")
        await ana.send("x" * 5000)  # longer than MAX_TEXT_LENGTH
        await ana.send("/help")
        await ana.send("/help")  # the 4th in the window: told to slow down
        await ana.send("/help")  # then silence
        assert deltas() == [2, 1, 2, 5]
        assert value("academy_updates_in_progress") == 0
    finally:
        await runtime.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


@pytest.fixture
async def client(fake: FakeOpenAI) -> AsyncIterator[AsyncOpenAI]:
    async with AsyncOpenAI(base_url=fake.base_url, api_key="test", max_retries=0) as c:
        yield c


def llm_errors(call: str) -> Callable[[], list[float]]:
    return Deltas(
        *(("academy_llm_errors_total", {"call": call, "kind": k}) for k in metrics.LLM_ERROR_KINDS),
        ("academy_llm_seconds_count", {"call": call}),
    )


async def test_llm_answers_are_timed_and_failures_counted_by_kind(
    fake: FakeOpenAI, client: AsyncOpenAI
) -> None:
    deltas = llm_errors("answer")  # timeout, http, other, calls
    answerer = LLMAnswerer(client, "test-model", timeout=0.3)
    fake.reply("Use daylight [photos-light].")
    assert await answerer.answer("light?", "en", HITS) is not None
    assert deltas() == [0, 0, 0, 1]
    fake.fail_next(500)
    assert await answerer.answer("light?", "en", HITS) is None
    assert deltas() == [0, 1, 0, 2]
    fake.delay_next(5)
    assert await answerer.answer("light?", "en", HITS) is None
    assert deltas() == [1, 1, 0, 3]

    with socket.socket() as probe:  # a port nobody listens on: a connection error
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    async with AsyncOpenAI(base_url=closed, api_key="test", max_retries=0) as unreachable:
        assert await LLMAnswerer(unreachable, "m").answer("light?", "en", HITS) is None
    assert deltas() == [1, 1, 1, 4]


async def test_failed_transcriptions_are_counted(fake: FakeOpenAI, client: AsyncOpenAI) -> None:
    deltas = llm_errors("transcription")
    fake.transcribe_as("hello")
    assert await transcribe(client, b"OggS", "voice.ogg", "whisper-1") == "hello"
    fake.fail_next(503)
    assert await transcribe(client, b"OggS", "voice.ogg", "whisper-1") is None
    fake.delay_next(5)
    assert await transcribe(client, b"OggS", "voice.ogg", "whisper-1", timeout=0.3) is None
    assert deltas() == [1, 1, 0, 3]


# A worker: handles two messages, sends three, and is killed in the middle of a third message.
WORKER = """
from bot import metrics
assert metrics.MULTIPROCESS
for _ in range(2):
    with metrics.handling("text") as counted:
        counted.outcome = metrics.OK
for outcome in ("ok", "ok", "blocked"):
    metrics.count_send(outcome)
metrics.UPDATES_IN_PROGRESS.inc()
"""
# The worker Prometheus happens to scrape: it sends one message of its own, then answers.
SCRAPER = """
import sys
from bot import metrics
metrics.count_send("ok")
sys.stdout.write(metrics.exposition(backlog=7)[0].decode())
"""


def run_python(code: str, directory: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], list[float]]:
    found: dict[tuple[str, tuple[tuple[str, str], ...]], list[float]] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            found.setdefault(key, []).append(sample.value)
    return found


def test_several_workers_add_up_and_a_dead_worker_leaves_the_live_gauge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_python(WORKER + "print(__import__('os').getpid())", tmp_path)
    run_python(WORKER, tmp_path)
    scraped = samples(run_python(SCRAPER, tmp_path).stdout)
    assert scraped[("academy_updates_total", (("kind", "text"), ("outcome", "ok")))] == [4]
    assert scraped[("academy_handler_seconds_count", ())] == [4]
    assert scraped[("academy_sends_total", (("outcome", "ok"),))] == [5]
    assert scraped[("academy_sends_total", (("outcome", "blocked"),))] == [2]
    assert scraped[("academy_updates_in_progress", ())] == [2]
    # counted by the scraping worker alone, once: not a sum over workers
    assert scraped[("academy_delivery_backlog", ())] == [7]

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    metrics.mark_worker_dead(int(first.stdout))
    scraped = samples(run_python(SCRAPER, tmp_path).stdout)
    assert scraped[("academy_updates_in_progress", ())] == [1]
    assert scraped[("academy_sends_total", (("outcome", "ok"),))] == [6]  # counters stay
