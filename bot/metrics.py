"""Prometheus metrics: what the bot counts, and the text a scrape of `/metrics` returns.

One process: the default registry. Several workers behind one address (`academy run --workers N`):
the supervisor sets PROMETHEUS_MULTIPROC_DIR to a fresh directory before starting them, each
worker writes its numbers to files there, and whichever worker is scraped adds them all up. The
variable must be in the environment before a process first imports prometheus_client (it picks
its storage at import), so a worker must be started with it, not have it set later.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric

# Whether this process stores its numbers in PROMETHEUS_MULTIPROC_DIR (decided at import).
MULTIPROCESS = values.ValueClass is not values.MutexValue
# The *_created series double a scrape and say only when a worker started.
disable_created_metrics()

# Outcomes of one message or button press handled by the Academy.
OK = "ok"  # the handler answered
ERROR = "error"  # the handler or the pipeline failed: the person got an apology
THROTTLED = "throttled"  # over the flood limit: dropped or told to slow down
REJECTED = "rejected"  # too long, or nothing handles it
DUPLICATE = "duplicate"  # the channel delivered it again: applied and answered the first time
# Outcomes of one request that sends a message to a chat.
SEND_OUTCOMES = ("ok", "retry_after", "blocked", "error")
LLM_CALLS = ("answer", "transcription")
LLM_ERROR_KINDS = ("timeout", "http", "other")

UPDATES = Counter(
    "academy_updates",
    "Messages and button presses the Academy handled, by kind and outcome.",
    ["kind", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "academy_handler_seconds",
    "Seconds from a message arriving at the Academy to its replies being ready.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
UPDATES_IN_PROGRESS = Gauge(
    "academy_updates_in_progress",
    "Messages being handled right now.",
    multiprocess_mode="livesum",  # all live workers together; a dead worker's share is dropped
)
SENDS = Counter(
    "academy_sends",
    "Requests sending a message to a chat, each attempt by its outcome: ok, retry_after (429), "
    "blocked (403) or error.",
    ["outcome"],
)
LLM_SECONDS = Histogram(
    "academy_llm_seconds",
    "Seconds an LLM call took (answers and transcriptions), failures included.",
    ["call"],
    buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
)
LLM_ERRORS = Counter(
    "academy_llm_errors",
    "LLM calls that failed, by call and kind: timeout, http (an error status) or other.",
    ["call", "kind"],
)
BACKLOG_NAME = "academy_delivery_backlog"
BACKLOG_HELP = "Scheduled messages due and still waiting to be sent, counted at scrape time."

# Every series exists from the start, so rates work before the first failure.
for _outcome in SEND_OUTCOMES:
    SENDS.labels(_outcome)
for _call in LLM_CALLS:
    LLM_SECONDS.labels(_call)
    for _kind in LLM_ERROR_KINDS:
        LLM_ERRORS.labels(_call, _kind)


@dataclass
class Handling:
    """One message being handled; the pipeline sets `outcome` before it returns."""

    outcome: str = ERROR


@contextmanager
def handling(kind: str) -> Iterator[Handling]:
    """Count one message of `kind` and time it; an exception counts as an error."""
    started = time.perf_counter()
    UPDATES_IN_PROGRESS.inc()
    current = Handling()
    try:
        yield current
    finally:
        UPDATES_IN_PROGRESS.dec()
        UPDATES.labels(kind, current.outcome).inc()
        HANDLER_SECONDS.observe(time.perf_counter() - started)


def count_send(outcome: str) -> None:
    """One request to send a message came back with `outcome` (one of SEND_OUTCOMES)."""
    SENDS.labels(outcome).inc()


@contextmanager
def llm_call(call: str, error_kind: Callable[[Exception], str]) -> Iterator[None]:
    """Time one LLM call; an exception is counted under `error_kind(exception)` and re-raised."""
    started = time.perf_counter()
    try:
        yield
    except Exception as error:
        LLM_ERRORS.labels(call, error_kind(error)).inc()
        LLM_SECONDS.labels(call).observe(time.perf_counter() - started)
        raise
    LLM_SECONDS.labels(call).observe(time.perf_counter() - started)


class _Scrape:
    """What one scrape exports: the counters, and the backlog this worker just counted."""

    def __init__(self, source: CollectorRegistry, backlog: int | None) -> None:
        self.source = source
        self.backlog = backlog

    def collect(self) -> Iterable[Metric]:
        yield from self.source.collect()
        if self.backlog is not None:
            yield GaugeMetricFamily(BACKLOG_NAME, BACKLOG_HELP, value=self.backlog)


def exposition(backlog: int | None) -> tuple[bytes, str]:
    """The body and content type of a `/metrics` answer; `backlog` None leaves it out (the
    database could not be asked). With several workers: every worker's numbers added up."""
    if MULTIPROCESS:
        source = CollectorRegistry()
        multiprocess.MultiProcessCollector(source)
    else:
        source = REGISTRY
    return generate_latest(_Scrape(source, backlog)), CONTENT_TYPE_LATEST


def mark_worker_dead(pid: int) -> None:
    """For the supervisor, when worker `pid` has exited: drop its share of the live gauges (its
    counters stay counted). Does nothing unless PROMETHEUS_MULTIPROC_DIR is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
