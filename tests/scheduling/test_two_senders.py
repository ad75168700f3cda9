"""Two sender processes' worth of engines on one PostgreSQL database never send a row twice."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlmodel import select

from bot.channels.sending.limiter import SendLimiter
from bot.channels.telegram.app import make_bot
from bot.channels.telegram.transport import TelegramTransport
from bot.db.models import Delivery
from bot.runtime.delivery import build_engine
from tests.conftest import make_settings, migrated_runtime
from tests.fakes.telegram_server import FakeTelegram
from tests.scheduling.conftest import announce_now, make_class, no_wait

RECIPIENTS = 600


async def test_two_senders_share_the_work_and_never_double_send(postgres_url: str) -> None:
    async with FakeTelegram() as fake:
        settings = make_settings(postgres_url, bot_token=fake.token, telegram_api_url=fake.base_url)
        # Each sender has its own runtime: its own connection pool, as two processes would.
        first, second = await migrated_runtime(settings), await migrated_runtime(settings)
        cohort, _people, lecturer = await make_class(first, fake, RECIPIENTS)
        await announce_now(first, cohort, lecturer, "Hi")
        bots = [make_bot(settings, SendLimiter(1e6, 1e6, 10**6, sleep=no_wait)) for _ in "ab"]
        engines = [
            build_engine(runtime, [TelegramTransport(bot)])
            for runtime, bot in zip((first, second), bots, strict=True)
        ]
        for engine in engines:
            engine.batch = 40  # small batches, so the two really interleave
        try:
            reports = await asyncio.gather(*(engine.tick() for engine in engines))
        finally:
            for bot in bots:
                await bot.session.close()
        per_chat = Counter(
            r.chat_id for r in fake.requests if r.method == "sendMessage" and r.status == 200
        )
        assert sorted(set(per_chat.values())) == [1]
        assert len(per_chat) == RECIPIENTS
        assert all(report.claimed > 0 for report in reports), reports  # both did some work
        assert sum(report.claimed for report in reports) == RECIPIENTS
        async with first.sessions() as session:
            rows = list(await session.exec(select(Delivery.status)))
        assert Counter(rows) == {"sent": RECIPIENTS}
        await first.close()
        await second.close()
