"""The WeChat channel as `academy run` starts it (the runtime's lifecycle, the server URL on the
shared web server): WeChat's posts come from the poster, the bot's sends go to the fake API, both
over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from sqlmodel import select

from bot.channels.wechat.channel import WeChatChannel
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import Person
from bot.runtime import Runtime
from tests.channels.whatsapp.conftest import free_port
from tests.conftest import _Running, make_settings
from tests.fakes.wechat_api import FakeWeChatAPI, Sent
from tests.fakes.wechat_poster import WeChatPoster

TOKEN = "wechat-token-of-the-account"
EVENTS = {"subscribe": "subscribe", "SCAN": "scan", "CLICK": "click", "VIEW": "view"}


@dataclass
class LiveWeChat:
    fake: FakeWeChatAPI
    runtime: Runtime
    channel: WeChatChannel
    poster: WeChatPoster

    async def idle(self) -> None:
        """Until the channel has nothing in hand."""
        updates = self.channel.updates
        assert updates is not None
        while updates.tasks:
            await asyncio.wait(set(updates.tasks))

    async def say(self, openid: str, text: str) -> list[Sent]:
        """`openid` types `text`; what the bot sent in answer, once it is done."""
        return await self.post(openid, self.poster.text(openid, text), "text")

    async def tap(
        self, openid: str, message: Sent, words: str, *, menu_id: str | None = None
    ) -> list[Sent]:
        """`openid` taps the link (or menu item) that reads `words` in `message`: WeChat posts
        a text of its content with its id as bizmsgmenuid (`menu_id` instead, e.g. "0")."""
        content, item_id = message.tap(words)
        xml = self.poster.text(openid, content, menu_id=item_id if menu_id is None else menu_id)
        return await self.post(openid, xml, "text")

    async def event(self, openid: str, event: str, key: str = "") -> list[Sent]:
        return await self.post(openid, self.poster.event(openid, event, key), EVENTS.get(event, ""))

    async def post(self, openid: str, xml: bytes, kind: str) -> list[Sent]:
        """Post as WeChat does (the fake API learns the person's window as WeChat would)."""
        if kind:
            self.fake.person_wrote(openid, kind)
        before = len(self.fake.messages(openid))
        answer = await self.poster.post(xml)
        assert (answer.status, answer.text) == (200, "success")
        await self.idle()
        return self.fake.messages(openid)[before:]

    async def person(self, openid: str) -> Person:
        async with self.runtime.sessions() as session:
            query = select(Person).where(
                Person.channel == "wechat", Person.channel_user_id == openid
            )
            return (await session.exec(query)).one()


@pytest.fixture
async def fake_wechat() -> AsyncIterator[FakeWeChatAPI]:
    async with FakeWeChatAPI() as fake:
        yield fake


def wechat_settings(fake: FakeWeChatAPI, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "wechat_app_id": fake.app_id,
        "wechat_app_secret": fake.secret,
        "wechat_token": TOKEN,
        "wechat_api_url": fake.base_url,
        "webhook_host": "127.0.0.1",
        "webhook_port": free_port(),
        "shutdown_grace": 5.0,
    }
    values.update(overrides)
    return make_settings(database_url, **values)


@asynccontextmanager
async def running_wechat(fake: FakeWeChatAPI, settings: Settings) -> AsyncIterator[LiveWeChat]:
    """The channel on a migrated database through `Runtime.running` until the block ends."""
    assert _Running.uses_database, "ask for the `database_url` fixture"
    engine = make_engine(settings)
    await upgrade(engine)
    await engine.dispose()
    channel = WeChatChannel(settings)
    async with Runtime.running(settings, [channel], deliveries=False) as runtime:
        url = f"http://127.0.0.1:{settings.webhook_port}{settings.wechat_webhook_path}"
        async with WeChatPoster(url, token=TOKEN) as poster:
            yield LiveWeChat(fake, runtime, channel, poster)


@pytest.fixture
async def live_wechat(fake_wechat: FakeWeChatAPI, database_url: str) -> AsyncIterator[LiveWeChat]:
    async with running_wechat(fake_wechat, wechat_settings(fake_wechat, database_url)) as live:
        yield live
