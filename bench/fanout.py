"""Announcement fan-out through the real delivery engine against a fake Telegram or WhatsApp API.

The fake enforces the platform's limits and answers "too fast" when they are exceeded.

    python bench/fanout.py [--recipients 10000] [--ceiling-recipients 10000] [--postgres URL]
    python bench/fanout.py --channel whatsapp [--recipients 10000] [--outside-window 0.5]

Telegram (the default), against the fake Bot API (30 msg/s overall, 1 msg/s per chat, 429):
1. Capped: achieved msg/s as a share of the 30 msg/s cap, 429s received, duplicates, missing.
2. Cap lifted (as with Telegram's paid broadcasts): the engine's own ceiling in msg/s, on SQLite
   and (with --postgres, a server URL; a fresh database is created and dropped) on PostgreSQL.

WhatsApp, against the fake Graph API (80 msg/s per number: 130429; the pair rate, one message
per 6 s to one person after a short burst: 131056), through the channel's own transport (the
24-hour window, the send budget): msg/s as a share of 80, 130429s and 131056s answered,
templates sent (to the --outside-window share who last wrote 3 days ago), duplicates, missing;
on SQLite, or on PostgreSQL with --postgres.

Prints a table and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from aiohttp import web
from sqlmodel import func, select

from bench.databases import fresh_postgres
from bot.channels.sending.limiter import SendLimiter
from bot.channels.telegram.app import make_bot
from bot.channels.telegram.transport import TelegramTransport
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import Cohort, Membership, MessageReceipt, Person, Role
from bot.db.types import utcnow
from bot.runtime import Runtime, open_runtime, run_async
from bot.runtime.delivery import build_engine
from tests.fakes.graph_server import FakeGraph
from tests.fakes.server import LocalServer
from tests.fakes.telegram_server import FakeTelegram
from tests.scheduling.conftest import announce_now, make_class

CAP = 30.0
WHATSAPP_CAP = 80  # messages a second per business number (Meta's, enforced by the fake)
WHATSAPP_TARGET = 0.95  # of WHATSAPP_CAP
# How long ago the people inside and outside the 24-hour window last wrote.
RECENTLY, DAYS_AGO = timedelta(hours=1), timedelta(days=3)

Fake = TypeVar("Fake", bound=LocalServer)


class RemoteFake(Generic[Fake]):
    """A fake API on its own thread and event loop, as Telegram and Meta are other machines: a
    busy engine must not also delay the server's clock (it would bunch requests unrealistically)."""

    def __init__(self, make: Callable[[], Fake]) -> None:
        self.make = make
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        async with self.make() as fake:
            self.fake = fake
            self.ready.set()
            await self.stopping.wait()

    async def __aenter__(self) -> Fake:
        self.thread.start()
        await asyncio.to_thread(self.ready.wait)
        return self.fake

    async def __aexit__(self, *_exc: object) -> None:
        self.loop.call_soon_threadsafe(self.stopping.set)
        await asyncio.to_thread(self.thread.join)


async def fan_out(url: str, recipients: int, *, capped: bool) -> dict[str, Any]:
    async with RemoteFake(FakeTelegram) as fake:
        if capped:
            fake.set_rate_limits(global_per_second=CAP, per_chat_per_second=1)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            bot_token=fake.token,
            telegram_api_url=fake.base_url,
            send_rate_global=CAP if capped else 1e6,
            paid_broadcast=not capped,
            delivery_concurrency=8 if capped else 32,
        )
        engine = make_engine(settings)
        await upgrade(engine)
        await engine.dispose()
        runtime = await open_runtime(settings)
        cohort, people, lecturer = await make_class(runtime, fake, recipients)
        await announce_now(runtime, cohort, lecturer, "📣 Bench")
        limiter = None if capped else SendLimiter(1e6, 1e6, 10**6)
        bot = make_bot(settings, limiter)
        deliveries = build_engine(runtime, [TelegramTransport(bot, paid_broadcast=not capped)])
        started = time.perf_counter()
        while True:
            report = await deliveries.tick()
            if report.claimed == 0:
                break
        elapsed = time.perf_counter() - started
        await bot.session.close()
        await runtime.close()
        sends = [r for r in fake.requests if r.method == "sendMessage"]
        ok = [r for r in sends if r.status == 200 and r.chat_id != int(lecturer.channel_user_id)]
        per_chat = Counter(r.chat_id for r in ok)
        trainees = {int(p.channel_user_id) for p in people}
        first, last = min(r.time for r in ok), max(r.time for r in ok)
        rate = (len(ok) - 1) / (last - first) if last > first else float("inf")
        return {
            "recipients": recipients,
            "sent": len(ok),
            "msg_per_s": round(rate, 1),
            "share_of_cap": round(rate / CAP, 3) if capped else None,
            "too_many_requests": fake.too_many_requests,
            "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
            "missing": len(trainees - set(per_chat)),
            "wall_s": round(elapsed, 1),
        }


async def whatsapp_class(
    runtime: Runtime, size: int, outside_window: float
) -> tuple[Cohort, list[Person], Person]:
    """A class on WhatsApp: a lecturer and `size` trainees in Spanish (ids "MX.<n>"), of whom the
    `outside_window` share, spread evenly, last wrote days ago and the rest an hour ago."""
    now = utcnow()
    async with runtime.sessions() as session:
        lecturer = Person(
            channel="whatsapp",
            channel_user_id="MX.999",
            display_name="Lecturer",
            role=Role.lecturer,
            language="es",
        )
        session.add(lecturer)
        await session.flush()
        cohort = Cohort(
            name="Duraznos",
            course_id=runtime.settings.default_course,
            timezone="America/Mexico_City",
            lecturer_id=lecturer.id,
            invite_code="WXYZ-2345",
        )
        session.add(cohort)
        await session.flush()
        people = [
            Person(
                channel="whatsapp",
                channel_user_id=f"MX.{1000 + n}",
                display_name=f"T{n}",
                language="es",
                timezone="America/Mexico_City",
                last_seen_at=now - (DAYS_AGO if outside(n, outside_window) else RECENTLY),
            )
            for n in range(size)
        ]
        session.add_all(people)
        await session.flush()
        session.add_all(Membership(cohort_id=cohort.id, person_id=p.id) for p in people)
        await session.commit()
    return cohort, people, lecturer


def outside(n: int, share: float) -> bool:
    """Whether trainee `n` is one of the `share` outside the window (every 1/share-th)."""
    return int((n + 1) * share) > int(n * share)


async def whatsapp_fan_out(
    url: str, recipients: int, *, outside_window: float, concurrency: int | None
) -> dict[str, Any]:
    """One announcement to `recipients` people on WhatsApp through the real delivery engine and
    the channel's transport (as `academy deliver` builds it), the fake enforcing Meta's limits."""
    async with RemoteFake(FakeGraph) as fake:
        fake.enforce_limits(per_second=WHATSAPP_CAP, pair_every=6.0)
        overrides: dict[str, Any] = {}
        if concurrency:
            overrides["delivery_concurrency"] = concurrency
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            whatsapp_phone_number_id=fake.phone_number_id,
            whatsapp_access_token=fake.token,
            whatsapp_api_url=fake.base_url,
            **overrides,
        )
        engine = make_engine(settings)
        await upgrade(engine)
        await engine.dispose()
        runtime = await open_runtime(settings)
        cohort, people, lecturer = await whatsapp_class(runtime, recipients, outside_window)
        await announce_now(runtime, cohort, lecturer, "📣 Bench: la clase en vivo es el jueves")
        channel = WhatsAppChannel(settings, intake=False)  # the sending side, as `academy deliver`
        await channel.open()
        await channel.start(runtime, web.Application())
        assert channel.transport is not None
        deliveries = build_engine(runtime, [channel.transport])
        started = time.perf_counter()
        while True:
            report = await deliveries.tick()
            if report.claimed == 0:
                break
        elapsed = time.perf_counter() - started
        async with runtime.sessions() as session:
            receipts = (await session.exec(select(func.count()).select_from(MessageReceipt))).one()
        await channel.close()
        await runtime.close()
        sent = [m for m in fake.sent if m.to != lecturer.channel_user_id]
        per_person = Counter(m.to for m in sent)
        trainees = {p.channel_user_id for p in people}
        first, last = min(m.at for m in sent), max(m.at for m in sent)
        rate = (len(sent) - 1) / (last - first) if last > first else float("inf")
        return {
            "recipients": recipients,
            "outside_window": sum(outside(n, outside_window) for n in range(recipients)),
            "sent": len(sent),
            "templates": sum(1 for m in sent if m.type == "template"),
            "msg_per_s": round(rate, 1),
            "share_of_80": round(rate / WHATSAPP_CAP, 3),
            "answered_130429": fake.count_errors(130429),
            "answered_131056": fake.count_errors(131056),
            "duplicates": sum(n - 1 for n in per_person.values() if n > 1),
            "missing": len(trainees - set(per_person)),
            "receipts": receipts,
            "concurrency": settings.delivery_concurrency,
            "wall_s": round(elapsed, 1),
        }


def whatsapp_target_met(result: dict[str, Any]) -> bool:
    return bool(
        result["share_of_80"] >= WHATSAPP_TARGET
        and result["answered_130429"] == 0
        and result["duplicates"] == 0
        and result["missing"] == 0
    )


async def whatsapp_async(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    options = {"outside_window": args.outside_window, "concurrency": args.concurrency}
    if args.postgres:
        url, drop = await fresh_postgres(args.postgres)
        try:
            results["whatsapp_postgres"] = await whatsapp_fan_out(url, args.recipients, **options)
        finally:
            await drop()
        return results
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'whatsapp.db'}"
        results["whatsapp_sqlite"] = await whatsapp_fan_out(url, args.recipients, **options)
    return results


def whatsapp_main(args: argparse.Namespace) -> None:
    results = run_async(whatsapp_async(args))
    print(f"{'':20}" + "".join(f"{name:>18}" for name in results))
    for key in next(iter(results.values())):
        print(f"{key:20}" + "".join(f"{r[key]!s:>18}" for r in results.values()))
    verdict = all(whatsapp_target_met(r) for r in results.values())
    print(
        f"target (>= {WHATSAPP_TARGET:.0%} of {WHATSAPP_CAP} msg/s, 0 x 130429, 0 duplicates, "
        f"0 missing): {'met' if verdict else 'NOT met'}"
    )
    print(json.dumps({"bench": "fanout", "channel": "whatsapp", **results, "target_met": verdict}))


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.recipients:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'capped.db'}"
            results["capped_sqlite"] = await fan_out(url, args.recipients, capped=True)
        if args.ceiling_recipients:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'lifted.db'}"
            results["lifted_sqlite"] = await fan_out(url, args.ceiling_recipients, capped=False)
    if args.postgres and args.ceiling_recipients:
        url, drop = await fresh_postgres(args.postgres)
        try:
            results["lifted_postgres"] = await fan_out(url, args.ceiling_recipients, capped=False)
        finally:
            await drop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--channel", choices=("telegram", "whatsapp"), default="telegram")
    parser.add_argument(
        "--recipients", type=int, default=10_000, help="capped run (Telegram: 0 skips it)"
    )
    parser.add_argument(
        "--ceiling-recipients", type=int, default=10_000, help="Telegram only; 0 skips it"
    )
    parser.add_argument(
        "--postgres",
        default="",
        help="a PostgreSQL server URL (optional; WhatsApp: run on it instead of SQLite)",
    )
    parser.add_argument(
        "--outside-window",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="WhatsApp: the share of recipients who last wrote 3 days ago (they get the template)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="WhatsApp: DELIVERY_CONCURRENCY for the run (default: the setting's default)",
    )
    args = parser.parse_args()
    if args.channel == "whatsapp":
        whatsapp_main(args)
        return
    results = run_async(main_async(args))
    keys = (
        "recipients",
        "sent",
        "msg_per_s",
        "share_of_cap",
        "too_many_requests",
        "duplicates",
        "missing",
        "wall_s",
    )
    print(f"{'':20}" + "".join(f"{name:>18}" for name in results))
    for key in keys:
        print(f"{key:20}" + "".join(f"{r[key]!s:>18}" for r in results.values()))
    capped = results.get("capped_sqlite")
    verdict = None
    if capped:
        verdict = (
            capped["share_of_cap"] >= 0.93
            and capped["too_many_requests"] == 0
            and capped["duplicates"] == 0
            and capped["missing"] == 0
        )
        print(
            f"target (>= 93% of cap, 0 429s, 0 duplicates, 0 missing): "
            f"{'met' if verdict else 'NOT met'}"
        )
    print(json.dumps({"bench": "fanout", **results, "target_met": verdict}))


if __name__ == "__main__":
    main()
