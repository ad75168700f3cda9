"""Load: thousands of simulated trainees doing a lesson and its quiz through the fake Bot API in
webhook mode, on PostgreSQL, with 1, 2 and 4 bot workers.

    python bench/load.py [--trainees 5000] [--concurrency 200] [--workers 1,2,4]
                         [--max-connections 40] [--postgres URL] [--redis URL]
    python bench/load.py --trainees 300 --workers 1        # a quick smoke run

Each trainee is a scripted phone user in a closed loop (tap, wait for the bot's answer, tap
again): /start, their language (zh, es or en by id), "▶ Lesson", Next through the first lesson's
cards into its quiz, the quiz's answers (right or wrong, fixed by the trainee's id), and
"▶ Next lesson" when passed. Every fifth trainee double-taps one answer (both taps in flight at
once, as a slipping thumb does). --concurrency trainees are on at once.

The bot is the real thing, `academy run [--workers N]` in its own processes on a fresh PostgreSQL
database (created and dropped per run; Redis shares the send budget when N > 1). The fake Bot API
(tests/fakes, real HTTP on 127.0.0.1) posts each update to the webhook as Telegram does, at most
--max-connections at once (Telegram's default for setWebhook is 40). The bot answers a webhook
call only after handling the update, so the POST's round trip is the handling latency; the time
from the tap (including the wait for one of those connections) is "tap p99". Sending limits are
lifted in the bot (SEND_RATE_*) and the fake enforces none: this measures handling capacity, not
Telegram's 30 msg/s.

Errors: webhook calls not answered 2xx (or timed out), replies that are the apology text,
expected replies that never came, Bot API calls the fake refused, quiz feedback with the wrong
verdict. Then the database is checked against what each trainee did: their person, every
LessonProgress row (status, card, attempt, question, right answers, best score), one QuizAnswer per
answer given (a double tap must not add one), one ReviewItem per wrong answer, an ActivityDay.

CPU is shown per party, in cores: the bot's processes, this process (the fake Bot API and the
phones; it must stay well under one core, or it would be what limits), all PostgreSQL processes,
and how busy the whole machine was; "PG connections opened" shows connection churn. The figures
are the machine's: on 2 cores the workers share them with PostgreSQL and this process, so
scaling past 2 workers (and, once one worker and PostgreSQL fill the cores, past 1) is bounded by
the machine, not the bot. The default run takes about 13 minutes on 2 cores.
Prints a table and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from asyncio.subprocess import PIPE, STDOUT, Process
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.databases import fresh_postgres
from bot.db.models import LessonStatus
from bot.i18n import Translator
from bot.lessons.content import load_library
from bot.lessons.model import Course
from bot.runtime import run_async
from tests.fakes.telegram_server import FakeTelegram, FakeUser, SentMessage

ROOT = Path(__file__).resolve().parents[1]
ACADEMY = str(ROOT / ".venv" / "bin" / "academy")
LANGUAGES = ("zh", "es", "en")
CLIENT_CODES = {"zh": "zh-hans", "es": "es-MX", "en": "en"}  # what Telegram clients send
FIRST_ID = 700_000_000  # trainee i is Telegram user FIRST_ID + i
LIFTED = "100000"  # messages per second: no sending limit in effect


# --- what each trainee does -------------------------------------------------------------------


@dataclass
class Plan:
    """One trainee's script, fixed by their id, and what they got done."""

    uid: int
    language: str
    choices: list[int]  # the option tapped for each question
    right: list[bool]
    double_tap: int | None  # the question whose answer is tapped twice
    passed: bool
    finished: bool = False


def make_plan(index: int, course: Course) -> Plan:
    uid = FIRST_ID + index
    language = LANGUAGES[index % len(LANGUAGES)]
    quiz = course.lesson(course.lessons[0], language).quiz
    choices, right = [], []
    for q, question in enumerate(quiz):
        # About one answer in five is wrong, scattered by a fixed hash of (trainee, question).
        wrong = (index * 2_654_435_761 + q * 40_503) % 97 < 19
        chosen = (question.answer + 1) % len(question.options) if wrong else question.answer
        choices.append(chosen)
        right.append(not wrong)
    double_tap = (index // 5) % len(quiz) if index % 5 == 0 else None
    passed = sum(right) / len(right) >= course.pass_mark - 1e-9
    return Plan(uid, language, choices, right, double_tap, passed)


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # webhook POST round trips
    taps: list[float] = field(default_factory=list)  # tap -> answered, with the connection wait
    updates: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    double_tap_silent: int = 0
    double_tap_answered: int = 0
    done: int = 0


class BenchTelegram(FakeTelegram):
    """The fake Bot API, with a bounded pool of webhook connections (like Telegram's
    max_connections), a tally of Bot API calls by status, and no unbounded request log."""

    def __init__(self, max_connections: int, timeout: float) -> None:
        super().__init__(token=f"{secrets.randbelow(10**9) + 10**9}:BENCH-load")
        self.slots = asyncio.Semaphore(max_connections)
        self.timeout = timeout
        self.calls: Counter[tuple[str, int]] = Counter()

    async def start(self) -> None:
        await super().start()
        connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=60)
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        self._client = aiohttp.ClientSession(connector=connector, timeout=timeout)

    async def _call(self, method: str, params: Any, token: str) -> tuple[int, Any]:
        status, body = await super()._call(method, params, token)
        self.calls[method, status] += 1
        if len(self.requests) > 5000:
            del self.requests[:]  # only the tally is read; the log would grow without end
        return status, body

    def count(self, method: str) -> int:
        return sum(n for (name, _), n in self.calls.items() if name.lower() == method.lower())

    def callback(self, user: FakeUser, message: SentMessage, data: str) -> dict[str, Any]:
        """The update for a tap on a button (by its callback data) of `message`."""
        return {
            "callback_query": {
                "id": self._new_callback_query(user.id),
                "from": user.to_api(),
                "message": self._message_payload(message),
                "chat_instance": f"ci-{user.id}",
                "data": data,
            }
        }

    async def post(self, update: dict[str, Any], stats: Stats) -> bool:
        """POST one update to the webhook; True when it was answered 2xx."""
        tapped = time.perf_counter()
        assert self.webhook_url is not None
        async with self.slots:
            started = time.perf_counter()
            try:
                status = await self.post_update_to(self.webhook_url, update, self.webhook_secret)
            except TimeoutError:
                stats.errors["timeout"] += 1
                return False
            except aiohttp.ClientError:
                stats.errors["connection"] += 1
                return False
            finished = time.perf_counter()
        stats.updates += 1
        stats.latencies.append(finished - started)
        stats.taps.append(finished - tapped)
        if not 200 <= status < 300:
            stats.errors[f"http_{status}"] += 1
            return False
        return True


class Phone:
    """One trainee's phone: taps, then reads what the bot sent to the chat meanwhile."""

    def __init__(self, fake: BenchTelegram, course: Course, plan: Plan, stats: Stats) -> None:
        self.fake, self.course, self.plan, self.stats = fake, course, plan, stats
        self.t = Translator(plan.language)
        self.apology = self.t("error.internal")
        self.user = fake.user(
            plan.uid, f"Trainee {plan.uid}", language_code=CLIENT_CODES[plan.language]
        )
        self.seen = 0

    def news(self) -> list[SentMessage]:
        messages = self.fake.messages(self.user.id)
        new, self.seen = messages[self.seen :], len(messages)
        if any(m.text == self.apology for m in new):
            self.stats.errors["apology"] += 1
        return new

    async def send(self, text_: str) -> list[SentMessage] | None:
        ok = await self.fake.post({"message": self.user.text_message(text_)}, self.stats)
        return self.news() if ok else None

    async def tap(
        self, message: SentMessage, data: str, twice: bool = False
    ) -> list[SentMessage] | None:
        update = self.fake.callback(self.user, message, data)
        if not twice:
            ok = await self.fake.post(update, self.stats)
        else:
            again = self.fake.callback(self.user, message, data)
            oks = await asyncio.gather(
                self.fake.post(update, self.stats), self.fake.post(again, self.stats)
            )
            ok = all(oks)
        return self.news() if ok else None

    def expect(self, new: list[SentMessage] | None, prefix: str) -> SentMessage | None:
        """The newest message with a button whose callback data starts with `prefix`."""
        if new is None:
            return None
        for message in reversed(new):
            for row in message.inline_buttons():
                if any(str(b.get("callback_data", "")).startswith(prefix) for b in row):
                    return message
        self.stats.errors["missing_reply"] += 1
        return None

    async def run(self) -> None:
        plan, slug = self.plan, self.course.lessons[0]
        new = await self.send("/start")
        if new is None:
            return
        prompt = next((m for m in new if m.find_button(f"lang:{plan.language}")), None)
        if prompt is not None:
            new = await self.tap(prompt, f"lang:{plan.language}")
            if new is None:
                return
            if not new:
                self.stats.errors["missing_reply"] += 1
                return
        message = self.expect(await self.send(self.t("menu.lesson")), f"les:next:{slug}:0")
        cards = len(self.course.lesson(slug, plan.language).cards)
        for card in range(cards):  # the last card's button starts the quiz
            if message is None:
                return
            following = (
                f"les:next:{slug}:{card + 1}" if card + 1 < cards else f"les:ans:{slug}:1:0:"
            )
            message = self.expect(await self.tap(message, f"les:next:{slug}:{card}"), following)
        for q, chosen in enumerate(plan.choices):
            if message is None:
                return
            question = message
            twice = plan.double_tap == q
            new = await self.tap(question, f"les:ans:{slug}:1:{q}:{chosen}", twice)
            if new is None:
                return
            verdict = "✅" if plan.right[q] else "❌"
            if question.edits == 0 or verdict not in (question.text or ""):
                self.stats.errors["wrong_feedback"] += 1
            if twice:  # silence for the second tap, or "here is where you stopped"
                if any(self.t("lesson.where_you_were") == m.text for m in new):
                    self.stats.double_tap_answered += 1
                else:
                    self.stats.double_tap_silent += 1
            if q + 1 < len(plan.choices):
                following = f"les:ans:{slug}:1:{q + 1}:"
            else:
                following = "les:go" if plan.passed else f"les:retry:{slug}"
            message = self.expect(new, following)
        if message is None:
            return
        if plan.passed:
            following = f"les:next:{self.course.lessons[1]}:0"
            if self.expect(await self.tap(message, "les:go"), following) is None:
                return
        plan.finished = True


# --- the bot under test -----------------------------------------------------------------------


def supports_workers() -> bool:
    out = subprocess.run(
        [ACADEMY, "run", "--help"], capture_output=True, text=True, env=base_env(), check=False
    )
    return "--workers" in out.stdout


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update({"COLUMNS": "100", "NO_COLOR": "1"})
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def flush_redis(url: str) -> None:
    import redis.asyncio as redis

    client = redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


def cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds of a process and each of its descendants, by pid (Linux /proc)."""
    seconds, ticks = {}, os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[current] = (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    return seconds


def postgres_cpu() -> float:
    """CPU seconds of all PostgreSQL server processes on this machine, whoever their clients,
    with the backends that already exited (in the server's children's time)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError, IndexError):
            if proc.name.isdigit() and (proc / "comm").read_text().strip() == "postgres":
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                total += sum(int(f) for f in fields[11:15]) / ticks
    return total


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


async def wait_ready(fake: BenchTelegram, bot: Process, workers: int) -> None:
    """Until the webhook is set and every worker has introduced itself (getMe): connections
    opened before a worker listens would all stick to the others."""
    deadline = time.monotonic() + 120
    while True:
        if bot.returncode is not None:
            raise RuntimeError(f"the bot exited with {bot.returncode} before it was ready")
        ready = (
            fake.webhook_url is not None
            and fake.count("getMe") >= workers
            and fake.count("setMyCommands") >= 4  # the lead worker's menus, after its getMe
        )
        if ready:
            break
        if time.monotonic() > deadline:
            raise RuntimeError("the bot did not become ready within 120 s")
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)  # the last worker's listening socket opens right after its commands


# --- one run ----------------------------------------------------------------------------------


async def one_run(
    args: argparse.Namespace, workers: int, course: Course, flag: bool
) -> dict[str, Any]:
    url, drop = await fresh_postgres(args.postgres, "bench_load")
    fake = BenchTelegram(args.max_connections, args.timeout)
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    log_path = workdir / "bot.log"
    bot: Process | None = None
    try:
        await fake.start()
        plans = [make_plan(i, course) for i in range(args.trainees)]
        port = free_port()
        env = base_env() | {
            "BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.base_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/webhook",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": secrets.token_urlsafe(24),
            "DATABASE_URL": url,
            "SEND_RATE_GLOBAL": LIFTED,
            "SEND_RATE_PER_CHAT": LIFTED,
            "SEND_BURST_PER_CHAT": "1000",
            "FLOOD_MAX_MESSAGES": "1000000",
            "CONTENT_CHECK_SECONDS": "0",
            "LOG_LEVEL": args.log_level,
        }
        if workers > 1:
            env["REDIS_URL"] = args.redis
            await flush_redis(args.redis)
        upgrade = await asyncio.create_subprocess_exec(
            ACADEMY, "db", "upgrade", env=env, cwd=workdir, stdout=PIPE, stderr=STDOUT
        )
        output, _ = await upgrade.communicate()
        if upgrade.returncode:
            raise RuntimeError(f"academy db upgrade failed: {output.decode()}")
        command = ["run", *(["--workers", str(workers)] if flag else [])]
        with log_path.open("wb") as log:
            bot = await asyncio.create_subprocess_exec(
                ACADEMY,
                *command,
                env=env,
                cwd=workdir,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        await wait_ready(fake, bot, workers)

        stats = Stats()
        queue: asyncio.Queue[Plan] = asyncio.Queue()
        for plan in plans:
            queue.put_nowait(plan)

        async def trainee_loop() -> None:
            while not queue.empty():
                plan = queue.get_nowait()
                await Phone(fake, course, plan, stats).run()
                stats.done += 1

        async def progress() -> None:
            while True:
                await asyncio.sleep(15)
                rate = stats.updates / (time.perf_counter() - started)
                print(
                    f"  {workers} worker(s): {stats.done}/{len(plans)} trainees, "
                    f"{stats.updates} updates, {rate:.0f}/s",
                    file=sys.stderr,
                    flush=True,
                )

        bot_cpu0, bench_cpu0, machine0 = cpu_seconds(bot.pid), time.process_time(), machine_ticks()
        postgres0 = postgres_cpu()
        started = time.perf_counter()
        reporter = asyncio.create_task(progress())
        await asyncio.gather(*(trainee_loop() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
        reporter.cancel()
        bot_cpu1 = cpu_seconds(bot.pid)
        bot_cpu = {p: c - bot_cpu0.get(p, 0.0) for p, c in bot_cpu1.items()}
        bench_cpu = time.process_time() - bench_cpu0
        postgres = postgres_cpu() - postgres0
        machine1 = machine_ticks()
        busy = (machine1[0] - machine0[0]) / max(1, machine1[1] - machine0[1])
        await stop(bot)
        bot = None

        refused = sum(n for (_, status), n in fake.calls.items() if status != 200)
        if refused:
            stats.errors["api_refused"] += refused
        unfinished = sum(not p.finished for p in plans)
        integrity = await check_database(url, course, plans)
        clean = integrity["ok"] and not stats.errors and not log_path.read_bytes().strip()
        if clean:
            shutil.rmtree(workdir)  # else its bot.log is kept, and named in the figures
        latencies, taps = sorted(stats.latencies), sorted(stats.taps)
        return {
            "workers": workers,
            "trainees": len(plans),
            "finished": len(plans) - unfinished,
            "updates": stats.updates,
            "seconds": round(elapsed, 1),
            "updates_per_s": round(stats.updates / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "tap_p99_ms": round(percentile(taps, 0.99) * 1000, 1),
            "errors": sum(stats.errors.values()),
            "error_kinds": dict(stats.errors),
            "double_taps": {
                "silent": stats.double_tap_silent,
                "answered": stats.double_tap_answered,
            },
            "bot_api_calls": sum(fake.calls.values()),
            "integrity": integrity,
            "integrity_ok": integrity["ok"],
            "cpu": {
                "bot_cores": round(sum(bot_cpu.values()) / elapsed, 2),
                # per process: the workers (and, with --workers, their idle supervisor)
                "bot_processes_cores": sorted(
                    (round(c / elapsed, 2) for c in bot_cpu.values()), reverse=True
                ),
                "fake_and_phones_cores": round(bench_cpu / elapsed, 2),
                "postgres_cores": round(postgres / elapsed, 2),
                "machine_busy": round(busy, 3),
            },
            "bot_log": None if clean else str(log_path),
        }
    finally:
        if bot is not None:
            await stop(bot)
        await fake.stop()
        await drop()


async def stop(bot: Process) -> None:
    """SIGTERM to the bot's process group (it was started in its own session), then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(bot.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(bot.wait(), 20)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(bot.pid, signal.SIGKILL)
        await bot.wait()


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


# --- the integrity check ----------------------------------------------------------------------


def expected_progress(plan: Plan, course: Course) -> dict[str, tuple[Any, ...]]:
    """(status, card, attempt, question, correct, best score) of each lesson row."""
    first, second = course.lessons[0], course.lessons[1]
    questions = len(plan.choices)
    cards = len(course.lesson(first, plan.language).cards)
    score = round(sum(plan.right) / questions, 6)
    status = LessonStatus.passed if plan.passed else LessonStatus.failed
    rows = {first: (status, cards - 1, 1, questions, sum(plan.right), score)}
    if plan.passed:
        rows[second] = (LessonStatus.reading, 0, 0, 0, 0, None)
    return rows


async def check_database(url: str, course: Course, plans: list[Plan]) -> dict[str, Any]:
    """Compare the database with what every finished trainee did."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as db:
            people = {
                int(uid): pid
                for pid, uid in await db.execute(
                    text("SELECT id, channel_user_id FROM people WHERE channel = 'telegram'")
                )
            }
            progress: dict[int, dict[str, tuple[Any, ...]]] = {}
            for row in await db.execute(
                text(
                    "SELECT person_id, lesson, status, card, attempt, question, correct, "
                    "best_score FROM lesson_progress"
                )
            ):
                best = None if row[7] is None else round(row[7], 6)
                progress.setdefault(row[0], {})[row[1]] = (*row[2:7], best)
            answers: dict[int, Counter[tuple[Any, ...]]] = {}
            for row in await db.execute(
                text(
                    "SELECT person_id, lesson, attempt, question, chosen, correct FROM quiz_answers"
                )
            ):
                answers.setdefault(row[0], Counter())[tuple(row[1:])] += 1
            reviews = dict(
                (
                    await db.execute(
                        text("SELECT person_id, count(*) FROM review_items GROUP BY person_id")
                    )
                ).all()
            )
            sessions = (
                await db.execute(
                    text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
                )
            ).scalar_one()
            days = dict(
                (
                    await db.execute(
                        text("SELECT person_id, count(*) FROM activity_days GROUP BY person_id")
                    )
                ).all()
            )
    finally:
        await engine.dispose()

    slug = course.lessons[0]
    result = Counter[str]()
    examples: list[str] = []
    expected_uids = {p.uid for p in plans}
    result["extra_people"] = len(set(people) - expected_uids)
    for plan in plans:
        pid = people.get(plan.uid)
        if pid is None:
            result["missing_people"] += 1
            continue
        if not plan.finished:
            continue
        result["checked"] += 1
        want = expected_progress(plan, course)
        got = progress.get(pid, {})
        if got != want:
            result["progress_wrong"] += 1
            if len(examples) < 5:
                examples.append(f"{plan.uid}: progress {got} != {want}")
        given = Counter(
            (slug, 1, q, chosen, plan.right[q]) for q, chosen in enumerate(plan.choices)
        )
        stored = answers.get(pid, Counter())
        result["answers_given"] += sum(given.values())
        result["answers_stored"] += sum(stored.values())
        result["answers_lost"] += sum((given - stored).values())
        result["answers_extra"] += sum((stored - given).values())
        if stored != given and len(examples) < 5:
            examples.append(f"{plan.uid}: answers {dict(stored)} != {dict(given)}")
        if reviews.get(pid, 0) != plan.right.count(False):
            result["reviews_wrong"] += 1
        if not 1 <= days.get(pid, 0) <= 2:  # 2 when the run crosses the trainee's midnight
            result["activity_wrong"] += 1
    bad = ("extra_people", "missing_people", "progress_wrong", "answers_lost", "answers_extra")
    bad += ("reviews_wrong", "activity_wrong")
    counts = {key: result[key] for key in ("checked", "answers_given", "answers_stored", *bad)}
    ok = all(result[key] == 0 for key in bad) and result["checked"] == len(plans)
    return {**counts, "ok": ok, "examples": examples, "db_connections_opened": sessions}


# --- main -------------------------------------------------------------------------------------


async def main_async(args: argparse.Namespace, flag: bool) -> dict[str, Any]:
    library, problems = load_library(ROOT / "content")
    if problems:
        raise SystemExit(f"content problems: {problems}")
    course = library[args.course]
    results: dict[str, Any] = {}
    for workers in args.workers:
        if workers > 1 and not flag:
            print(f"skipped {workers} workers: `academy run` has no --workers", file=sys.stderr)
            results[str(workers)] = None
            continue
        results[str(workers)] = await one_run(args, workers, course, flag)
    return {"workers_flag": flag, "runs": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trainees", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=200, help="trainees at once")
    parser.add_argument(
        "--workers",
        type=lambda s: [int(n) for n in s.split(",")],
        default=[1, 2, 4],
        help="comma-separated worker counts, one run each (default 1,2,4)",
    )
    parser.add_argument(
        "--max-connections", type=int, default=40, help="webhook calls in flight (Telegram: 40)"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per webhook call")
    parser.add_argument(
        "--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="flushed per run")
    parser.add_argument("--course", default="sell-online")
    parser.add_argument("--log-level", default="WARNING", help="the bot's LOG_LEVEL")
    args = parser.parse_args()
    started = time.perf_counter()
    report = run_async(main_async(args, supports_workers()))
    wall = round(time.perf_counter() - started, 1)
    runs = {k: r for k, r in report["runs"].items() if r is not None}
    print(
        f"{args.trainees} trainees, {args.concurrency} at once, <= {args.max_connections} webhook "
        "calls in flight; sending limits lifted (handling capacity, not Telegram's 30 msg/s)"
    )
    rows = (
        ("updates", "updates"),
        ("seconds", "seconds"),
        ("updates/s", "updates_per_s"),
        ("p50 ms", "p50_ms"),
        ("p99 ms", "p99_ms"),
        ("tap p99 ms", "tap_p99_ms"),
        ("errors", "errors"),
        ("finished", "finished"),
    )
    print(f"{'workers':22}" + "".join(f"{k:>12}" for k in runs))
    for label, key in rows:
        print(f"{label:22}" + "".join(f"{r[key]!s:>12}" for r in runs.values()))
    for label, key in (
        ("answers given", "answers_given"),
        ("answers stored", "answers_stored"),
        ("PG connections opened", "db_connections_opened"),
    ):
        print(f"{label:22}" + "".join(f"{r['integrity'][key]!s:>12}" for r in runs.values()))
    print(
        f"{'integrity':22}"
        + "".join(f"{'ok' if r['integrity_ok'] else 'FAILED':>12}" for r in runs.values())
    )
    for label, key in (
        ("bot CPU (cores)", "bot_cores"),
        ("fake+phones (cores)", "fake_and_phones_cores"),
        ("PostgreSQL (cores)", "postgres_cores"),
        ("machine busy", "machine_busy"),
    ):
        print(f"{label:22}" + "".join(f"{r['cpu'][key]!s:>12}" for r in runs.values()))
    for workers, r in runs.items():
        if r["error_kinds"]:
            print(f"errors with {workers} worker(s): {r['error_kinds']}")
        if r["integrity"]["examples"]:
            print(f"integrity with {workers} worker(s): {r['integrity']['examples']}")
        if r["bot_log"]:
            print(f"the bot's log with {workers} worker(s): {r['bot_log']}")
    print(f"{os.cpu_count()} cores; whole bench {wall} s")
    print(json.dumps({"bench": "load", **report, "cores": os.cpu_count(), "wall_s": wall}))


if __name__ == "__main__":
    main()
