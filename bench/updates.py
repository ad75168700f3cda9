"""Updates per second through the real Dispatcher, our handlers and SQLite, against a bare echo bot.

A stream of realistic updates (/start, the language button, menu taps, free text) from many people
goes through aiogram's Dispatcher with our middleware, handlers and a fresh SQLite file; outgoing
Bot API calls go to a recording session instead of the network. The same stream then goes through
a Dispatcher with one echo handler. Each runs in its own process so peak RSS is its own.

    python bench/updates.py [--people 1000]

Prints a table and ends with one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.types import Message, Update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BOT_ID = 42
NOW = int(datetime.now(UTC).timestamp())


class RecordingSession(BaseSession):
    """Answers every Bot API call locally, counting them: the network is not what we measure."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.next_id = 1000

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> Any:
        self.calls += 1
        returning = method.__returning__
        if returning is Message or "Message" in str(returning):
            self.next_id += 1
            chat_id = getattr(method, "chat_id", 1)
            return Message.model_validate(
                {
                    "message_id": self.next_id,
                    "date": NOW,
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Academy"},
                    "text": getattr(method, "text", "") or "",
                },
                context={"bot": bot},
            )
        return True

    async def close(self) -> None:
        return None

    def stream_content(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


def _user(uid: int, language: str) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": f"Trainee{uid}", "language_code": language}


def make_stream(people: int) -> list[dict[str, Any]]:
    """Each person: /start, picks a language, taps Help and Language, types two messages."""
    languages = ["zh-hans", "es-MX", "en"]
    menu = {"zh": "❓ 帮助", "es": "❓ Ayuda", "en": "❓ Help"}
    language_menu = {"zh": "🌐 语言", "es": "🌐 Idioma", "en": "🌐 Language"}
    updates: list[dict[str, Any]] = []
    serial = 0

    def message(uid: int, language: str, text: str) -> dict[str, Any]:
        nonlocal serial
        serial += 1
        entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return {
            "update_id": serial,
            "message": {
                "message_id": serial,
                "date": NOW,
                "chat": {"id": uid, "type": "private"},
                "from": _user(uid, language),
                "text": text,
                **({"entities": entities} if text.startswith("/") else {}),
            },
        }

    def press(uid: int, language: str, data: str) -> dict[str, Any]:
        nonlocal serial
        serial += 1
        return {
            "update_id": serial,
            "callback_query": {
                "id": str(serial),
                "chat_instance": "ci",
                "from": _user(uid, language),
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": NOW,
                    "chat": {"id": uid, "type": "private"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Academy"},
                    "text": "Which language?",
                },
            },
        }

    rounds: list[list[dict[str, Any]]] = []
    for n in range(people):
        uid = 10_000 + n
        client = languages[n % 3]
        chosen = ["zh", "es", "en"][(n + 1) % 3]
        rounds.append(
            [
                message(uid, client, "/start"),
                press(uid, client, f"lang:{chosen}"),
                message(uid, client, menu[chosen]),
                message(uid, client, "how do I pack bayberries so they don't rot?"),
                message(uid, client, language_menu[chosen]),
                message(uid, client, "/help"),
            ]
        )
    # Interleave people the way a real stream does: round-robin over their steps.
    for step in range(6):
        updates.extend(r[step] for r in rounds)
    return updates


async def run_ours(raw: list[dict[str, Any]], workdir: Path) -> dict[str, Any]:
    from bot.channels.sending.limiter import SendLimiter
    from bot.channels.telegram.app import build_dispatcher, make_bot
    from bot.config import Settings
    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade
    from bot.runtime import open_runtime

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        bot_token="42:BENCH",
        flood_max_messages=10_000,
    )
    engine = make_engine(settings)
    await upgrade(engine)
    await engine.dispose()
    runtime = await open_runtime(settings)
    # Sending limits would measure Telegram's 30 msg/s, not our code: lift them here.
    bot = make_bot(settings, SendLimiter(1e9, 1e9, 10**9))
    recorder = RecordingSession()
    recorder.middleware = bot.session.middleware
    bot.session = recorder
    dispatcher = build_dispatcher(runtime)
    result = await measure(dispatcher, bot, raw)
    result["api_calls"] = recorder.calls
    await runtime.close()
    return result


async def run_echo(raw: list[dict[str, Any]]) -> dict[str, Any]:
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @router.callback_query()
    async def pressed(query: Any) -> None:
        await query.answer()

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    recorder = RecordingSession()
    bot = Bot("42:BENCH", session=recorder)
    result = await measure(dispatcher, bot, raw)
    result["api_calls"] = recorder.calls
    return result


async def measure(dispatcher: Dispatcher, bot: Bot, raw: list[dict[str, Any]]) -> dict[str, Any]:
    updates = [Update.model_validate(u, context={"bot": bot}) for u in raw]
    for update in updates[:20]:  # warm-up: imports, caches, first connection
        await dispatcher.feed_update(bot, update)
    latencies: list[float] = []
    started = time.perf_counter()
    for update in updates[20:]:
        t0 = time.perf_counter()
        await dispatcher.feed_update(bot, update)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "updates": len(latencies),
        "updates_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def child(mode: str, people: int) -> None:
    from bot.runtime import run_async  # the event loop the bot itself runs on (uvloop)

    raw = make_stream(people)
    with tempfile.TemporaryDirectory() as tmp:
        work = run_ours(raw, Path(tmp)) if mode == "ours" else run_echo(raw)
        result = run_async(work)
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--child", choices=["ours", "echo"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.people)
        return
    results = {}
    for mode in ("ours", "echo"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--people", str(args.people)],
            check=True,
            capture_output=True,
            text=True,
        )
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    ours, echo = results["ours"], results["echo"]
    print(f"{'':24}{'ours':>12}{'bare echo':>12}")
    for key in ("updates", "updates_per_s", "p50_ms", "p99_ms", "peak_rss_mb", "api_calls"):
        print(f"{key:24}{ours[key]:>12}{echo[key]:>12}")
    ratio = round(ours["updates_per_s"] / echo["updates_per_s"], 3)
    print(f"throughput ours / echo: {ratio}")
    target = ours["updates_per_s"] >= 500 and ours["p99_ms"] <= 25
    print(f"target (>= 500 updates/s, p99 <= 25 ms): {'met' if target else 'NOT met'}")
    print(
        json.dumps(
            {"bench": "updates", "ours": ours, "echo": echo, "ratio": ratio, "target_met": target}
        )
    )


if __name__ == "__main__":
    main()
