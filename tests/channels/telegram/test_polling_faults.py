"""Long polling while the database is away: Telegram will not send an update twice, so the bot
keeps it and tries again until the database is back, one person's updates in their order."""

from __future__ import annotations

import asyncio

from bot.i18n import Translator
from tests.channels.telegram.conftest import polling_bot
from tests.fakes.outage import DatabaseOutage
from tests.fakes.telegram_server import FakeTelegram

zh = Translator("zh")


async def test_updates_wait_for_the_database_and_are_answered_in_order(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    outage = DatabaseOutage(database_url)
    async with polling_bot(
        fake_telegram, await outage.start(), send_rate_per_chat=100.0, send_burst_per_chat=100
    ) as live:
        outage.watch(live.runtime.engine)
        tries = 0
        several = asyncio.Event()

        async def pause(_seconds: float) -> None:  # no real backoff: count the tries instead
            nonlocal tries
            tries += 1
            if tries >= 6:
                several.set()
            await asyncio.sleep(0.01)

        live.dispatcher["channel"].sleep = pause
        ana = fake_telegram.user(701, "Ana", language_code="zh")
        await ana.send_text("/help")
        assert [m.text for m in await ana.wait_messages(1)] == [zh("help.text")]

        await outage.cut()
        await ana.send_text("/language")
        await ana.send_text("/help")
        (notice,) = await ana.wait_messages(1)
        assert notice.text == zh("error.saved")  # once, however often it is tried
        await asyncio.wait_for(several.wait(), 10)  # tried again and again; the next waits
        assert fake_telegram.messages(ana.id)[-1].text == zh("error.saved")
        await outage.restore()

        answers = await ana.wait_messages(2, timeout=10)
        assert [m.text for m in answers] == [zh("language.prompt"), zh("help.text")]
    await outage.stop()
