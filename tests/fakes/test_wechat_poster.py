"""The WeChat poster posts what WeChat posts: signed queries, flat CDATA XML, safe mode's
envelope, whole bodies in pieces; checked against a receiver that records the raw calls."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.channels.wechat.crypto import MessageCipher, message_signature, url_signature
from bot.channels.wechat.xml import ENVELOPE_LIMIT, parse_xml
from tests.fakes.server import LocalServer
from tests.fakes.wechat_poster import ACCOUNT, MB, WeChatPoster, xml_of

TOKEN = "poster-token"
ENCODING_AES_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
APP_ID = "wxpostertest000001"


class Receiver(LocalServer):
    """Records every call: method, query and raw body; answers "success"."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str], bytes]] = []

    def make_app(self) -> web.Application:
        async def record(request: web.Request) -> web.Response:
            self.calls.append((request.method, dict(request.query), await request.read()))
            return web.Response(text="success")

        app = web.Application(client_max_size=8 * MB)
        app.router.add_route("*", "/wechat", record)
        return app


@pytest.fixture
async def received() -> AsyncIterator[tuple[Receiver, WeChatPoster]]:
    clock = iter(range(1_764_500_000, 1_764_600_000)).__next__
    async with (
        Receiver() as receiver,
        WeChatPoster(
            receiver.base_url + "/wechat",
            token=TOKEN,
            app_id=APP_ID,
            encoding_aes_key=ENCODING_AES_KEY,
            clock=lambda: float(clock()),
        ) as poster,
    ):
        yield receiver, poster


async def test_a_plaintext_message_is_signed_flat_xml(
    received: tuple[Receiver, WeChatPoster],
) -> None:
    receiver, poster = received
    await poster.post(poster.text("o1", "a]]>b", menu_id="0"))
    await poster.post(poster.text("o1", "again"))
    (method, query, body), (_, _, second) = receiver.calls
    assert method == "POST" and set(query) == {"timestamp", "nonce", "signature"}
    assert query["signature"] == url_signature(TOKEN, query["timestamp"], query["nonce"])
    parsed = parse_xml(body)
    assert (parsed.to_user_name, parsed.from_user_name, parsed.msg_type) == (ACCOUNT, "o1", "text")
    assert (parsed.content, parsed.bizmsgmenuid) == ("a]]>b", "0")
    assert parsed.msg_id != parse_xml(second).msg_id  # each message its own MsgId


async def test_safe_mode_is_an_envelope_with_its_own_signature(
    received: tuple[Receiver, WeChatPoster],
) -> None:
    receiver, poster = received
    await poster.post(poster.event("o2", "CLICK", "say:上课"), safe=True)
    await poster.post(poster.text("o2", "x"), safe=True, msg_signing="bad", signing="none")
    (_, query, body), (_, bad_query, _) = receiver.calls
    envelope = parse_xml(body, limit=ENVELOPE_LIMIT)
    assert (envelope.to_user_name, envelope.msg_type) == (ACCOUNT, "")
    assert query["encrypt_type"] == "aes"
    assert query["msg_signature"] == message_signature(
        TOKEN, query["timestamp"], query["nonce"], envelope.encrypt
    )
    inner = parse_xml(MessageCipher(ENCODING_AES_KEY, APP_ID).decrypt(envelope.encrypt))
    assert (inner.event, inner.event_key, inner.msg_id) == ("CLICK", "say:上课", "")
    assert "signature" not in bad_query and bad_query["msg_signature"] != query["msg_signature"]


async def test_the_url_check_and_a_chunked_body(received: tuple[Receiver, WeChatPoster]) -> None:
    receiver, poster = received
    assert (await poster.check_url("echo-1", timestamp=1_700_000_000)).text == "success"
    big = xml_of({"Content": "长" * MB})
    await poster.post(big, chunked=True)
    (method, query, _), (_, _, body) = receiver.calls
    assert method == "GET" and query["echostr"] == "echo-1"
    assert query["timestamp"] == "1700000000"
    assert query["signature"] == url_signature(TOKEN, "1700000000", query["nonce"])
    assert body == big
