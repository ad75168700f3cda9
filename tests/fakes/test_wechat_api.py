"""The fake WeChat API answers as WeChat does: tokens that replace each other, the reply window
of 5 messages in 48 hours (3 in a minute after an event), and its error bodies. Plain HTTP here;
our client is tested against it in tests/channels/wechat/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakes.wechat_api import FakeWeChatAPI


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeWeChatAPI]:
    async with FakeWeChatAPI() as server:
        server.clock = Clock()
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def token(fake: FakeWeChatAPI, http: aiohttp.ClientSession, **query: str) -> Any:
    params = {"grant_type": "client_credential", "appid": fake.app_id, "secret": fake.secret}
    async with http.get(f"{fake.base_url}/cgi-bin/token", params={**params, **query}) as answer:
        assert answer.status == 200
        return await answer.json()


async def send_text(
    fake: FakeWeChatAPI, http: aiohttp.ClientSession, access_token: str, openid: str
) -> int:
    body = {"touser": openid, "msgtype": "text", "text": {"content": "你好"}}
    url = f"{fake.base_url}/cgi-bin/message/custom/send"
    async with http.post(url, params={"access_token": access_token}, json=body) as answer:
        assert answer.status == 200  # WeChat answers errors with HTTP 200
        return int((await answer.json())["errcode"])


async def test_a_new_token_invalidates_the_one_before(
    fake: FakeWeChatAPI, http: aiohttp.ClientSession
) -> None:
    first = await token(fake, http)
    assert first["expires_in"] == 7200
    fake.person_wrote("oAna")
    assert await send_text(fake, http, first["access_token"], "oAna") == 0
    second = await token(fake, http)
    assert await send_text(fake, http, first["access_token"], "oAna") == 40001
    assert await send_text(fake, http, second["access_token"], "oAna") == 0
    assert await send_text(fake, http, "made-up", "oAna") == 40014
    fake.clock.now += 7200  # type: ignore[attr-defined]
    assert await send_text(fake, http, second["access_token"], "oAna") == 42001
    assert fake.token_fetches == 2


async def test_a_wrong_secret_or_appid_gets_no_token(
    fake: FakeWeChatAPI, http: aiohttp.ClientSession
) -> None:
    assert (await token(fake, http, secret="wrong"))["errcode"] == 40125
    assert (await token(fake, http, appid="wx-other"))["errcode"] == 40013
    assert fake.token_fetches == 0 and fake.token is None


async def test_five_messages_in_48_hours_after_a_person_writes(
    fake: FakeWeChatAPI, http: aiohttp.ClientSession
) -> None:
    access = (await token(fake, http))["access_token"]
    assert await send_text(fake, http, access, "oAna") == 45015  # never wrote
    fake.person_wrote("oAna")
    codes = [await send_text(fake, http, access, "oAna") for _ in range(6)]
    assert codes == [0, 0, 0, 0, 0, 45047]
    fake.person_wrote("oAna")  # she writes again: five more
    assert await send_text(fake, http, access, "oAna") == 0
    fake.clock.now += 48 * 3600  # type: ignore[attr-defined]
    access = (await token(fake, http))["access_token"]  # the first expired long ago
    assert await send_text(fake, http, access, "oAna") == 45015
    assert len(fake.messages("oAna")) == 6
    assert fake.count_errors(45047) == 1 and fake.count_errors(45015) == 2


async def test_three_messages_in_the_minute_after_an_event(
    fake: FakeWeChatAPI, http: aiohttp.ClientSession
) -> None:
    access = (await token(fake, http))["access_token"]
    fake.person_wrote("oBo", "subscribe")
    codes = [await send_text(fake, http, access, "oBo") for _ in range(4)]
    assert codes == [0, 0, 0, 45047]
    fake.clock.now += 61  # type: ignore[attr-defined]
    assert await send_text(fake, http, access, "oBo") == 45015
    fake.unfollow("oBo")
    fake.person_wrote("oBo", "click")
    assert await send_text(fake, http, access, "oBo") == 43004


async def test_scripted_failures_answer_per_openid_then_stop(
    fake: FakeWeChatAPI, http: aiohttp.ClientSession
) -> None:
    access = (await token(fake, http))["access_token"]
    fake.person_wrote("oAna")
    fake.person_wrote("oBo")
    fake.fail_next(-1, openid="oBo", times=2)
    assert await send_text(fake, http, access, "oAna") == 0
    assert await send_text(fake, http, access, "oBo") == -1
    assert await send_text(fake, http, access, "oBo") == -1
    assert await send_text(fake, http, access, "oBo") == 0
    fake.fail_next(None, status=502)
    url = f"{fake.base_url}/cgi-bin/message/custom/send"
    body = {"touser": "oAna", "msgtype": "text", "text": {"content": "hi"}}
    async with http.post(url, params={"access_token": access}, json=body) as answer:
        assert answer.status == 502


async def test_a_text_over_2048_bytes_or_a_menu_of_11_is_refused(
    fake: FakeWeChatAPI, http: aiohttp.ClientSession
) -> None:
    access = (await token(fake, http))["access_token"]
    fake.person_wrote("oAna")
    url = f"{fake.base_url}/cgi-bin/message/custom/send"
    items = [{"id": str(n), "content": f"第{n}课"} for n in range(11)]
    bodies = {
        45002: {"touser": "oAna", "msgtype": "text", "text": {"content": "好" * 683}},
        47001: {"touser": "oAna", "msgtype": "msgmenu", "msgmenu": {"list": items}},
    }
    for errcode, body in bodies.items():
        async with http.post(url, params={"access_token": access}, json=body) as answer:
            assert (await answer.json())["errcode"] == errcode
    assert await send_text(fake, http, access, "oAna") == 0  # refusals spend no quota


async def test_links_and_menu_items_can_be_tapped_and_menus_need_a_verified_account(
    fake: FakeWeChatAPI, http: aiohttp.ClientSession
) -> None:
    access = (await token(fake, http))["access_token"]
    fake.person_wrote("oAna")
    url = f"{fake.base_url}/cgi-bin/message/custom/send"
    href = "weixin://bizmsgmenu?msgmenucontent=%E4%B8%8B%E4%B8%80%E5%BC%A0&msgmenuid=1"
    text = {"content": f'回复数字：\n1 <a href="{href}">下一张</a>'}
    menu = {"head_content": "选：", "list": [{"id": "7", "content": "1 上课"}]}
    for body in (
        {"touser": "oAna", "msgtype": "text", "text": text},
        {"touser": "oAna", "msgtype": "msgmenu", "msgmenu": menu},
    ):
        async with http.post(url, params={"access_token": access}, json=body) as answer:
            assert (await answer.json())["errcode"] == 0
    linked, listed = fake.messages("oAna")
    assert linked.text == "回复数字：\n1 下一张"  # what the person reads
    assert linked.taps == [("下一张", "1")] and linked.tap("下一张") == ("下一张", "1")
    assert listed.taps == [("1 上课", "7")] and listed.tap("上课") == ("1 上课", "7")

    fake.verified = False
    body = {"touser": "oAna", "msgtype": "msgmenu", "msgmenu": menu}
    async with http.post(url, params={"access_token": access}, json=body) as answer:
        assert (await answer.json())["errcode"] == 48001
