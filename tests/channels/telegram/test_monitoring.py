"""/metrics and /healthz over real HTTP: on the webhook server fed by the fake Bot API, and on
the small server long polling uses (METRICS_PORT)."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from bot.channels.sending.limiter import SendLimiter
from bot.db.models import Person
from bot.db.types import utcnow
from bot.runtime import Runtime
from bot.runtime.monitoring import start_monitoring_server
from bot.scheduling import store
from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.test_webhook import free_port
from tests.conftest import Trainee, drop_database, make_settings
from tests.fakes.telegram_server import FakeTelegram

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
COMMAND_OK = ("academy_updates_total", (("kind", "command"), ("outcome", "ok")))
HANDLED = ("academy_handler_seconds_count", ())
BACKLOG = ("academy_delivery_backlog", ())


def sends(outcome: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    return ("academy_sends_total", (("outcome", outcome),))


async def scrape(base: str) -> Samples:
    async with aiohttp.ClientSession() as client, client.get(f"{base}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def grew(
    before: Samples, after: Samples, *keys: tuple[str, tuple[tuple[str, str], ...]]
) -> list[float]:
    return [after.get(key, 0.0) - before.get(key, 0.0) for key in keys]


class Clock:
    """The send limiter's clock: a 429's retry_after passes without waiting for real."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def person_id(runtime: Runtime, telegram_id: int) -> int:
    async with runtime.sessions() as session:
        found = await session.exec(select(Person).where(Person.channel_user_id == str(telegram_id)))
        person = found.one()
    assert person.id is not None
    return person.id


async def health(base: str) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as client, client.get(f"{base}/healthz") as response:
        return response.status, await response.json()


async def test_the_webhook_server_counts_updates_sends_and_the_backlog(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = make_settings(
        database_url,
        bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.base_url,
        webhook_url=f"{base}/tg/hook",
        webhook_host="127.0.0.1",
        webhook_port=port,
    )
    clock = Clock()
    limiter = SendLimiter(100, 100, 100, clock=clock, sleep=clock.sleep)
    async with running_bot(fake_telegram, settings, limiter=limiter) as live:
        runtime = live.runtime
        before = await scrape(base)
        ana = fake_telegram.user(701, "Ana")
        bob = fake_telegram.user(702, "Bob")
        await ana.send_text("/help")  # the webhook answers after handling: no waiting needed
        await bob.send_text("/help")
        fake_telegram.fail_next("sendMessage", status=429, retry_after=3, chat_id=ana.id)
        await ana.send_text("/help")  # a 429, then sent
        fake_telegram.block(bob.id)
        await bob.send_text("/help")  # a 403
        assert len(fake_telegram.messages(ana.id)) == 2
        after = await scrape(base)
        assert grew(before, after, COMMAND_OK, HANDLED) == [4, 4]
        # one ok each for Ana's two and Bob's first; a 429 before Ana's second; Bob's last a 403
        outcomes = map(sends, ("ok", "retry_after", "blocked", "error"))
        assert grew(before, after, *outcomes) == [3, 1, 1, 0]
        assert after[BACKLOG] == 0

        now = utcnow()
        async with runtime.sessions() as session:
            ids = [await person_id(runtime, ana.id), await person_id(runtime, bob.id)]
            await store.enqueue(session, ids, kind="reminder", due_at=now - timedelta(minutes=5))
            await store.enqueue(session, ids[:1], kind="nudge", due_at=now + timedelta(hours=1))
            await session.commit()
        assert (await scrape(base))[BACKLOG] == 2  # due now; the one due in an hour waits

        assert await health(base) == (200, {"status": "ok"})
        await runtime.engine.dispose()
        gone = drop_database(database_url)
        status, body = await health(base)
        assert status == 503
        assert body["status"] == "error" and gone in body["database"]
        gone = await scrape(base)  # the counters are still served, without the backlog
        assert BACKLOG not in gone and COMMAND_OK in gone


async def test_metrics_port_serves_health_and_metrics_for_long_polling(
    runtime: Runtime,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    runner = await start_monitoring_server(runtime, "127.0.0.1", port)
    try:
        assert await health(base) == (200, {"status": "ok"})
        before = await scrape(base)
        await Trainee(runtime, "p1", "Ana", "en").send("/help")
        after = await scrape(base)
        assert grew(before, after, COMMAND_OK, HANDLED) == [1, 1]
        assert after[BACKLOG] == 0
    finally:
        await runner.cleanup()
