"""The fake Graph API answers as Meta does: the real pywa client against it, and its webhooks
signed (or not) as promised."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from pywa_async import WhatsApp
from pywa_async.errors import WhatsAppError
from pywa_async.types import Button

from tests.fakes.graph_server import FakeGraph, sign
from tests.fakes.server import LocalServer

VERSION = "23.0"


class Receiver(LocalServer):
    """Records every webhook POST: raw body and signature header."""

    def __init__(self) -> None:
        self.calls: list[tuple[bytes, str | None]] = []

    def make_app(self) -> web.Application:
        async def hook(request: web.Request) -> web.Response:
            self.calls.append((await request.read(), request.headers.get("X-Hub-Signature-256")))
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/hook", hook)
        return app


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraph]:
    async with FakeGraph() as server:
        yield server


def client(fake: FakeGraph, token: str | None = None) -> WhatsApp:
    session = httpx.AsyncClient()
    wa = WhatsApp(fake.phone_number_id, token or fake.token, session=session, api_version=VERSION)
    session.base_url = f"{fake.base_url}/v{VERSION}"
    return wa


async def test_sends_are_recorded_and_answered_with_wamids(fake: FakeGraph) -> None:
    wa = client(fake)
    ana = fake.user("MX.1001", "Ana", wa_id="5215550001001")
    text = await wa.send_message(ana.address, "Hola")
    buttons = await wa.send_message(
        ana.address, "¿Seguimos?", buttons=[Button("Sí", "yes"), Button("No", "no")]
    )
    first, second = ana.messages()
    assert (first.type, first.text, first.wamid) == ("text", "Hola", text.id)
    assert first.body["recipient"] == "MX.1001" and "to" not in first.body
    assert second.interactive_type == "button" and second.buttons == [("Sí", "yes"), ("No", "no")]
    assert second.wamid == buttons.id and second.wamid.startswith("wamid.")


async def test_media_is_uploaded_then_served_by_id(fake: FakeGraph) -> None:
    wa = client(fake)
    ana = fake.user("MX.1002")
    await wa.send_image(ana.address, b"\x89PNG-bytes", caption="Tu gráfica", mime_type="image/png")
    (photo,) = ana.messages()
    assert fake.media[photo.media_id].content == b"\x89PNG-bytes"
    url = await wa.get_media_url(photo.media_id)
    assert await wa.get_media_bytes(url.url) == b"\x89PNG-bytes"


async def test_a_wrong_token_is_refused_with_code_190(fake: FakeGraph) -> None:
    with pytest.raises(WhatsAppError) as refused:
        await client(fake, "wrong").get_business_phone_number()
    assert refused.value.code == 190 and refused.value.status_code == 401
    number = await client(fake).get_business_phone_number()
    assert number.id == fake.phone_number_id


async def test_scripted_errors_per_recipient_and_for_the_next_sends(fake: FakeGraph) -> None:
    wa = client(fake)
    fake.fail_for("MX.1003", 131026)
    fake.fail_next(131047)
    fake.fail_next(131000, status=503)
    for code in (131047, 131000):
        with pytest.raises(WhatsAppError) as refused:
            await wa.send_message("MX.1004", "hola")
        assert refused.value.code == code
    with pytest.raises(WhatsAppError) as undeliverable:
        await wa.send_message("MX.1003", "hola")
    assert undeliverable.value.code == 131026
    await wa.send_message("MX.1004", "hola")
    assert [m.text for m in fake.messages("MX.1004")] == ["hola"]
    assert fake.count_errors(131000) == 1


async def test_the_pair_rate_and_the_throughput_are_enforced(fake: FakeGraph) -> None:
    now = [0.0]
    fake.clock = lambda: now[0]
    fake.enforce_limits(per_second=3, pair_burst=2, pair_every=6.0)
    wa = client(fake)
    await wa.send_message("MX.1", "1")
    await wa.send_message("MX.1", "2")
    with pytest.raises(WhatsAppError) as pair:
        await wa.send_message("MX.1", "3")
    assert pair.value.code == 131056
    await wa.send_message("MX.2", "1")
    with pytest.raises(WhatsAppError) as throughput:
        await wa.send_message("MX.3", "1")
    assert throughput.value.code == 130429
    now[0] = 6.0  # a second later the number may send again, six later the pair too
    await wa.send_message("MX.1", "3")


async def test_interactive_messages_over_meta_limits_are_refused(fake: FakeGraph) -> None:
    wa = client(fake)
    with pytest.raises(WhatsAppError):
        await wa.send_message("MX.1", "x", buttons=[Button("A title over twenty chars", "a")])
    with pytest.raises(WhatsAppError):
        await wa.send_message("MX.1", "x", buttons=[Button(str(n), str(n)) for n in range(4)])
    assert fake.sent == []


async def test_webhooks_are_signed_unsigned_or_wrongly_signed() -> None:
    async with FakeGraph() as fake, Receiver() as receiver:
        fake.webhook_url = f"{receiver.base_url}/hook"
        ana = fake.user("MX.1005", "Ana")
        await ana.send(ana.text_message("hola"))
        await ana.send(ana.text_message("sin firma"), signing="none")
        await ana.send(ana.text_message("mal"), signing="bad")
        await fake.post_webhook(b"{not json", times=2)
    (good, good_sig), (_, none_sig), (bad, bad_sig), (raw, _), (again, _) = receiver.calls
    expected = "sha256=" + hmac.new(b"fake-app-secret", good, hashlib.sha256).hexdigest()
    assert good_sig == expected == sign(good, fake.app_secret)
    assert none_sig is None
    assert bad_sig is not None and bad_sig != sign(bad, fake.app_secret)
    assert raw == again == b"{not json"
    change = json.loads(good)["entry"][0]["changes"][0]["value"]
    assert change["contacts"][0]["user_id"] == "MX.1005"
    assert "wa_id" not in change["contacts"][0]  # a user with a BSUID and no phone
    assert change["messages"][0]["text"] == {"body": "hola"}


async def test_a_tap_names_the_button_and_the_message_it_was_under(fake: FakeGraph) -> None:
    wa = client(fake)
    ana = fake.user("MX.1006")
    await wa.send_message(ana.address, "¿Seguimos?", buttons=[Button("Sí", "les:next:1")])
    (sent,) = ana.messages()
    tap = ana.tap_message("Sí")
    assert tap["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "les:next:1", "title": "Sí"},
    }
    assert tap["context"]["id"] == sent.wamid
    with pytest.raises(AssertionError, match="no choice"):
        ana.tap_message("No")


async def test_a_slow_answer_comes_after_its_delay(fake: FakeGraph) -> None:
    wa = client(fake)
    fake.slow_next(0.3)
    sending = asyncio.ensure_future(wa.send_message("MX.1", "despacio"))
    await asyncio.sleep(0.1)
    assert not sending.done() and fake.sent == []
    await sending
    assert [m.text for m in fake.sent] == ["despacio"]
