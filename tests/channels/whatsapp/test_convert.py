"""Golden tests: every inbound web-hook shape -> the Incoming (or Receipt) the core reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.channels.whatsapp.convert import Inbound, read_webhook
from bot.core.fitting import MENU_PREFIX
from bot.core.messages import Incoming, Kind, Sender
from bot.db.models import ReceiptStatus
from bot.db.receipts import Receipt
from tests.fakes.graph_server import FakeGraph

WAMID_IN = "wamid.HBgLNTIxNTU1MDAwMTAwMRUCABIYFjNFQjA="
ANA = Sender("whatsapp", "MX.1001", display_name="Ana", language_hint="es-MX")


def envelope(message: dict[str, Any], contact: dict[str, Any] | None = None) -> dict[str, Any]:
    contact = contact or {
        "profile": {"name": "Ana"},
        "wa_id": "5215550001001",
        "user_id": "MX.1001",
    }
    message = {
        "from": "5215550001001",
        "from_user_id": "MX.1001",
        "id": WAMID_IN,
        "timestamp": "1764520000",
        **message,
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "1065"},
        "contacts": [contact],
        "messages": [message],
    }
    change = {"value": value, "field": "messages"}
    return {"object": "whatsapp_business_account", "entry": [{"id": "1022", "changes": [change]}]}


def only(body: dict[str, Any]) -> Inbound:
    (inbound,) = read_webhook(body).inbound
    return inbound


CONTEXT = {"from": "15550783881", "id": "wamid.OUT1"}
GOLDEN: list[tuple[str, dict[str, Any], Incoming]] = [
    (
        "text",
        {"type": "text", "text": {"body": "¿Cómo empaco duraznos?"}},
        Incoming(ANA, Kind.text, text="¿Cómo empaco duraznos?", message_ref=WAMID_IN),
    ),
    (
        "command",
        {"type": "text", "text": {"body": "/join ABC123"}},
        Incoming(ANA, Kind.command, text="ABC123", command="join", message_ref=WAMID_IN),
    ),
    (
        "reply button",
        {
            "type": "interactive",
            "context": CONTEXT,
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": "les:next:1", "title": "Siguiente"},
            },
        },
        Incoming(ANA, Kind.button, payload="les:next:1", message_ref="wamid.OUT1"),
    ),
    (
        "reply button without context",
        {
            "type": "interactive",
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": "les:next:1", "title": "Siguiente"},
            },
        },
        Incoming(ANA, Kind.button, payload="les:next:1", message_ref=WAMID_IN),
    ),
    (
        "list row",
        {
            "type": "interactive",
            "context": CONTEXT,
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": "quiz:3:2", "title": "2", "description": "Con luz"},
            },
        },
        Incoming(ANA, Kind.button, payload="quiz:3:2", message_ref="wamid.OUT1"),
    ),
    (
        "menu row reads as its label typed",
        {
            "type": "interactive",
            "interactive": {
                "type": "list_reply",
                "list_reply": {"id": f"{MENU_PREFIX}❓ Ayuda", "title": "❓ Ayuda"},
            },
        },
        Incoming(ANA, Kind.text, text="❓ Ayuda", message_ref=WAMID_IN),
    ),
    (
        "template quick reply",
        {
            "type": "button",
            "context": CONTEXT,
            "button": {"payload": "les:open:2", "text": "▶ Empezar"},
        },
        Incoming(ANA, Kind.button, payload="les:open:2", message_ref="wamid.OUT1"),
    ),
    (
        "voice note",
        {
            "type": "audio",
            "audio": {"mime_type": "audio/ogg; codecs=opus", "id": "9001", "voice": True},
        },
        Incoming(ANA, Kind.voice, file_ref="9001", message_ref=WAMID_IN),
    ),
    (
        "photo with caption",
        {"type": "image", "image": {"mime_type": "image/jpeg", "id": "9002", "caption": "Mi"}},
        Incoming(ANA, Kind.photo, text="Mi", file_ref="9002", message_ref=WAMID_IN),
    ),
    (
        "document",
        {"type": "document", "document": {"filename": "curso.xlsx", "id": "9004"}},
        Incoming(ANA, Kind.document, file_ref="9004", file_name="curso.xlsx", message_ref=WAMID_IN),
    ),
    (
        "sticker",
        {"type": "sticker", "sticker": {"mime_type": "image/webp", "id": "9003"}},
        Incoming(ANA, Kind.unsupported, message_ref=WAMID_IN),
    ),
    (
        "location",
        {"type": "location", "location": {"latitude": 19.4, "longitude": -99.1}},
        Incoming(ANA, Kind.unsupported, message_ref=WAMID_IN),
    ),
    (
        "unsupported",
        {"type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown"}]},
        Incoming(ANA, Kind.unsupported, message_ref=WAMID_IN),
    ),
    (
        "reaction",
        {"type": "reaction", "reaction": {"message_id": "wamid.OUT1", "emoji": "👍"}},
        Incoming(ANA, Kind.unsupported, message_ref=WAMID_IN),
    ),
]


@pytest.mark.parametrize(
    ("message", "expected"), [(m, e) for _, m, e in GOLDEN], ids=[name for name, _, _ in GOLDEN]
)
def test_inbound_shape(message: dict[str, Any], expected: Incoming) -> None:
    inbound = only(envelope(message))
    assert inbound.incoming == replace(expected, update_ref=WAMID_IN)
    assert (inbound.phone, inbound.message_id) == ("5215550001001", WAMID_IN)


def test_a_user_with_a_business_scoped_id_and_no_phone() -> None:
    body = envelope({"type": "text", "text": {"body": "hola"}}, {"profile": {"name": "Lupita"}})
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["from"]
    body["entry"][0]["changes"][0]["value"]["contacts"] = [
        {"profile": {"name": "Lupita"}, "user_id": "MX.2002"}
    ]
    message["from_user_id"] = "MX.2002"
    inbound = only(body)
    assert inbound.incoming.sender == Sender(
        "whatsapp", "MX.2002", display_name="Lupita", language_hint="es-MX"
    )
    assert inbound.phone == ""


def test_without_a_business_scoped_id_the_phone_is_the_id() -> None:
    body = envelope({"type": "text", "text": {"body": "hola"}}, {"wa_id": "8613800138000"})
    del body["entry"][0]["changes"][0]["value"]["messages"][0]["from_user_id"]
    body["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = "8613800138000"
    inbound = only(body)
    assert inbound.incoming.sender == Sender("whatsapp", "8613800138000", language_hint="zh-CN")
    assert inbound.phone == "8613800138000"


def test_statuses_become_receipts_with_their_error() -> None:
    fake = FakeGraph()
    ana = fake.user("MX.1001", wa_id="5215550001001")
    statuses = [
        fake.status("wamid.OUT1", "delivered", user=ana, at=1764520000),
        fake.status("wamid.OUT1", "read", user=ana, at=1764520060),
        fake.status("wamid.OUT2", "failed", user=ana, at=1764520120, error_code=131026),
        fake.status("wamid.OUT3", "deleted", user=ana, at=1764520120),
    ]
    found = read_webhook(fake.envelope(None, statuses=statuses))
    at = datetime.fromtimestamp(1764520000, UTC)
    assert found.inbound == []
    assert found.receipts == [
        Receipt("wamid.OUT1", ReceiptStatus.delivered, at),
        Receipt("wamid.OUT1", ReceiptStatus.read, datetime.fromtimestamp(1764520060, UTC)),
        Receipt(
            "wamid.OUT2",
            ReceiptStatus.failed,
            datetime.fromtimestamp(1764520120, UTC),
            error_code=131026,
        ),
    ]


def test_the_fakes_shapes_read_as_meta_s() -> None:
    fake = FakeGraph()
    ana = fake.user("MX.1001", "Ana", wa_id="5215550001001")
    voice = only(fake.envelope(ana, [ana.voice_message()])).incoming
    assert voice.kind is Kind.voice and voice.file_ref in fake.media
    photo = only(fake.envelope(ana, [ana.image_message("mira")])).incoming
    assert (photo.kind, photo.text) == (Kind.photo, "mira")
    for odd in (ana.sticker_message(), ana.location_message(), ana.unsupported_message()):
        assert only(fake.envelope(ana, [odd])).incoming.kind is Kind.unsupported


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": "x"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": 3}]}]},
        envelope({"type": "text"}),  # no text object
        envelope({"type": "interactive", "interactive": {"type": "button_reply"}}),
        envelope({"id": None, "type": "text", "text": {"body": "hola"}}),
    ],
)
def test_shapes_meta_never_sends_are_skipped_or_unsupported(body: Any) -> None:
    for inbound in read_webhook(body).inbound:
        assert inbound.incoming.kind is Kind.unsupported


def test_a_message_in_a_group_is_left_alone() -> None:
    body = envelope({"type": "text", "text": {"body": "hola"}, "group_id": "120363040000@g.us"})
    assert read_webhook(body).inbound == []


def test_whom_statuses_are_about() -> None:
    fake = FakeGraph()
    ana = fake.user("MX.1001", wa_id="5215550001001")
    ben = fake.user("MX.1002")
    statuses = [fake.status("wamid.A", "sent", user=ana), fake.status("wamid.B", "read", user=ben)]
    found = read_webhook(fake.envelope(None, statuses=statuses))
    assert found.status_recipients == {"MX.1001", "MX.1002"}
    phone_only = {"id": "wamid.C", "status": "delivered", "timestamp": "1", "recipient_id": "52155"}
    found = read_webhook(fake.envelope(None, statuses=[phone_only]))
    assert found.status_recipients == {"52155"}
    failed = {"id": "wamid.D", "status": "failed", "timestamp": "1", "recipient_id": "52155"}
    body = fake.envelope(None, statuses=[failed])
    body["entry"][0]["changes"][0]["value"]["errors"] = [{"code": 131026, "title": "x"}]
    (receipt,) = read_webhook(body).receipts
    assert receipt.error_code == 131026  # Meta put the error beside the status
