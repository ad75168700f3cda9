"""Announcement fan-out through the real delivery engine against a fake Bot API that enforces
Telegram's limits (30 msg/s overall, 1 msg/s per chat) and answers 429 when they are exceeded.

    python bench/fanout.py [--recipients 10000] [--ceiling-recipients 10000] [--postgres URL]

1. Capped: achieved msg/s as a share of the 30 msg/s cap, 429s received, duplicates, missing.
2. Cap lifted (as with Telegram's paid broadcasts): the engine's own ceiling in msg/s, on SQLite
   and (with --postgres, a server URL; a fresh database is created and dropped) on PostgreSQL.
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench.databases import fresh_postgres
from bot.channels.sending.limiter import SendLimiter
from bot.channels.telegram.app import make_bot
from bot.channels.telegram.transport import TelegramTransport
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.runtime import open_runtime, run_async
from bot.runtime.delivery import build_engine
from tests.fakes.telegram_server import FakeTelegram
from tests.scheduling.conftest import announce_now, make_class

CAP = 30.0


class RemoteFake:
    """The fake Bot API on its own thread and event loop, as Telegram is another machine: a busy
    engine must not also delay the server's clock (it would bunch requests unrealistically)."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        async with FakeTelegram() as fake:
            self.fake = fake
            self.ready.set()
            await self.stopping.wait()

    async def __aenter__(self) -> FakeTelegram:
        self.thread.start()
        await asyncio.to_thread(self.ready.wait)
        return self.fake

    async def __aexit__(self, *_exc: object) -> None:
        self.loop.call_soon_threadsafe(self.stopping.set)
        await asyncio.to_thread(self.thread.join)


async def fan_out(url: str, recipients: int, *, capped: bool) -> dict[str, Any]:
    async with RemoteFake() as fake:
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
    parser.add_argument("--recipients", type=int, default=10_000, help="capped run; 0 skips it")
    parser.add_argument("--ceiling-recipients", type=int, default=10_000, help="0 skips it")
    parser.add_argument("--postgres", default="", help="a PostgreSQL server URL (optional)")
    args = parser.parse_args()
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
