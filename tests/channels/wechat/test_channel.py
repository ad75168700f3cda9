"""The WeChat channel's start-up checks and what it does with WeChat's refusals, against the fake
API over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.channels.wechat.channel import WeChatChannel
from bot.channels.wechat.transport import WeChatTransport
from bot.db.models import Delivery
from bot.db.types import utcnow
from bot.runtime import StartupError
from tests.channels.wechat.conftest import LiveWeChat, wechat_settings
from tests.channels.whatsapp.conftest import free_port
from tests.fakes.wechat_api import FakeWeChatAPI

GOOD_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.mark.parametrize(
    ("overrides", "exit_code", "words"),
    [
        ({"wechat_token": ""}, 2, "WECHAT_TOKEN"),
        ({"wechat_app_secret": ""}, 2, "WECHAT_APP_SECRET"),
        ({"wechat_encoding_aes_key": "too-short"}, 2, "WECHAT_ENCODING_AES_KEY"),
        ({"wechat_app_secret": "not-the-secret"}, 2, "WECHAT_APP_SECRET"),
        ({"wechat_api_url": f"http://127.0.0.1:{free_port()}"}, 4, "Could not reach"),
    ],
)
async def test_open_refuses_what_cannot_work(
    fake_wechat: FakeWeChatAPI, overrides: dict[str, str], exit_code: int, words: str
) -> None:
    channel = WeChatChannel(wechat_settings(fake_wechat, "sqlite+aiosqlite://", **overrides))
    with pytest.raises(StartupError) as refused:
        await channel.open()
    await channel.close()
    assert refused.value.exit_code == exit_code and words in str(refused.value)


async def test_open_fetches_the_token_and_offers_media(fake_wechat: FakeWeChatAPI) -> None:
    settings = wechat_settings(fake_wechat, "sqlite+aiosqlite://", wechat_encoding_aes_key=GOOD_KEY)
    channel = WeChatChannel(settings)
    offers = await channel.open()
    try:
        assert fake_wechat.token_fetches == 1
        assert isinstance(channel.transport, WeChatTransport)  # scheduled messages go
        voice = fake_wechat.add_media(b"#!AMR\nhello", "audio/amr", "v.amr")
        assert offers.fetch_file is not None
        assert await offers.fetch_file(voice.media_id) == b"#!AMR\nhello"
        # A class code's link is its QR code, once made (tests/channels/wechat/test_qr.py).
        assert offers.link_for is not None and offers.prepare_link is not None
        assert offers.link_for("PGFK-2345") == "/join PGFK-2345"
    finally:
        await channel.close()


async def test_unfollowing_marks_the_person_blocked(live_wechat: LiveWeChat) -> None:
    live = live_wechat
    await live.say("oDan", "/help")
    assert await live.event("oDan", "unsubscribe") == []
    assert (await live.person("oDan")).blocked
    assert len(await live.event("oDan", "subscribe")) == 1  # following again: welcomed back
    assert not (await live.person("oDan")).blocked


async def test_quota_spent_keeps_the_reply_for_the_next_message(live_wechat: LiveWeChat) -> None:
    live = live_wechat
    await live.say("oEva", "/help")
    live.fake.fail_next(45047, openid="oEva", path="/cgi-bin/message/custom/send")
    assert await live.say("oEva", "/help") == []
    async with live.runtime.sessions() as session:
        (kept,) = await session.exec(select(Delivery).where(Delivery.status == "pending"))
    assert kept.body is not None and kept.due_at > utcnow() + timedelta(days=365)  # held
    after = await live.say("oEva", "/help")  # a command: the kept reply first, then its own
    assert len(after) == 2 and after[0].text == after[1].text == live.fake.messages("oEva")[0].text


async def test_a_person_who_unfollowed_is_marked_blocked_on_43004(live_wechat: LiveWeChat) -> None:
    live = live_wechat
    await live.say("oFei", "/help")
    live.fake.unfollow("oFei")
    assert await live.say("oFei", "/help") == []
    assert (await live.person("oFei")).blocked
    async with live.runtime.sessions() as session:
        assert list(await session.exec(select(Delivery))) == []
