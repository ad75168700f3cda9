"""The WeChat update handler while the database is away: the message waits and is answered
once it is back; the person is told once that it is kept."""

from __future__ import annotations

import asyncio

from bot.i18n import Translator
from tests.channels.wechat.conftest import running_wechat, wechat_settings
from tests.fakes.outage import DatabaseOutage
from tests.fakes.wechat_api import FakeWeChatAPI

zh = Translator("zh")


async def texts_of(fake: FakeWeChatAPI, openid: str, count: int) -> list[str]:
    """The texts sent to `openid`, once there are `count` of them (10 s at most)."""
    await fake.wait_for(lambda: len(fake.messages(openid)) >= count, 10)
    return [message.text for message in fake.messages(openid)]


async def test_a_message_waits_for_the_database_and_the_person_is_told_once(
    fake_wechat: FakeWeChatAPI, database_url: str
) -> None:
    outage = DatabaseOutage(database_url)
    settings = wechat_settings(fake_wechat, await outage.start())
    async with running_wechat(fake_wechat, settings) as live:
        outage.watch(live.runtime.engine)
        updates = live.channel.updates
        assert updates is not None
        tries = asyncio.Event()

        async def pause(_seconds: float) -> None:  # no real backoff
            tries.set()
            await asyncio.sleep(0.01)

        updates.sleep = pause
        await live.event("oLi", "subscribe")
        await live.say("oLi", "/language")
        before = len(fake_wechat.messages("oLi"))

        await outage.cut()
        for text in ("/help", "/help"):
            fake_wechat.person_wrote("oLi", "text")
            answer = await live.poster.post(live.poster.text("oLi", text))
            assert (answer.status, answer.text) == (200, "success")  # at once, all the same
        texts = await texts_of(fake_wechat, "oLi", before + 1)
        assert texts[before:] == [zh("error.saved")]
        await asyncio.wait_for(tries.wait(), 10)
        await asyncio.sleep(0.2)
        assert len(fake_wechat.messages("oLi")) == before + 1  # told once, nothing answered yet

        await outage.restore()
        texts = await texts_of(fake_wechat, "oLi", before + 3)
        await live.idle()
        answers = texts[before + 1 :]
        assert len(answers) == 2 and all(text.startswith(zh("help.text")) for text in answers)
    await outage.stop()
