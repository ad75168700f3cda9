"""Golden tests of Reply -> what reaches the Graph API (through pywa, over real HTTP to the fake),
and how the transport reads Meta's errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pywa_async import WhatsApp

from bot.channels.whatsapp.budget import make_whatsapp_limiter
from bot.channels.whatsapp.client import make_client, session_of
from bot.channels.whatsapp.send import BODY_UNDER_A_FILE, send_reply
from bot.channels.whatsapp.transport import WhatsAppTransport
from bot.core.messages import Attachment, Button, ChoiceList, ListRow, Reply
from bot.db.models import Person
from bot.scheduling.transport import Result
from tests.conftest import make_settings
from tests.fakes.graph_server import FakeGraph

TO = "MX.1001"
PNG = b"\x89PNG\r\n\x1a\nfake"


@pytest.fixture
async def graph() -> AsyncIterator[tuple[FakeGraph, WhatsApp]]:
    async with FakeGraph() as fake:
        settings = make_settings(
            "sqlite+aiosqlite://",
            whatsapp_phone_number_id=fake.phone_number_id,
            whatsapp_access_token=fake.token,
            whatsapp_api_url=fake.base_url,
        )
        wa = make_client(settings)
        yield fake, wa
        await session_of(wa).aclose()


async def test_a_text(graph: tuple[FakeGraph, WhatsApp]) -> None:
    fake, wa = graph
    refs = await send_reply(wa, TO, Reply("Hola"))
    (sent,) = fake.messages(TO)
    assert refs == [sent.wamid]
    assert sent.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "recipient": TO,
        "type": "text",
        "text": {"body": "Hola", "preview_url": False},
    }


async def test_a_phone_is_addressed_with_to(graph: tuple[FakeGraph, WhatsApp]) -> None:
    fake, wa = graph
    await send_reply(wa, "5215550001001", Reply("Hola"))
    (sent,) = fake.messages("5215550001001")
    assert sent.body["to"] == "5215550001001" and "recipient" not in sent.body


async def test_buttons_ride_with_their_text(graph: tuple[FakeGraph, WhatsApp]) -> None:
    fake, wa = graph
    reply = Reply(
        "¿Seguimos?", buttons=((Button("Siguiente ▶", "les:next:a:0"),), (Button("No", "n"),))
    )
    await send_reply(wa, TO, reply)
    (sent,) = fake.messages(TO)
    assert sent.interactive_type == "button" and sent.text == "¿Seguimos?"
    assert sent.buttons == [("Siguiente ▶", "les:next:a:0"), ("No", "n")]


async def test_a_choice_list(graph: tuple[FakeGraph, WhatsApp]) -> None:
    fake, wa = graph
    rows = (
        ListRow("Me pongo junto a una…", "q:0", "Me pongo junto a una ventana"),
        ListRow("B", "q:1"),
    )
    await send_reply(wa, TO, Reply("Pregunta", choice_list=ChoiceList("Elegir", rows)))
    (sent,) = fake.messages(TO)
    assert sent.interactive_type == "list" and sent.list_button == "Elegir"
    assert sent.rows == [
        {
            "id": "q:0",
            "title": "Me pongo junto a una…",
            "description": "Me pongo junto a una ventana",
        },
        {"id": "q:1", "title": "B"},
    ]


async def test_a_photo_with_text_and_buttons_is_one_message(
    graph: tuple[FakeGraph, WhatsApp],
) -> None:
    fake, wa = graph
    reply = Reply(
        "📖 Parta un durazno",
        buttons=((Button("Siguiente ▶", "next"),),),
        image=Attachment("peach.png", data=PNG),
    )
    refs = await send_reply(wa, TO, reply)
    (sent,) = fake.messages(TO)
    assert len(refs) == 1 and sent.interactive_type == "button"
    assert sent.header["type"] == "image" and "link" not in sent.header["image"]
    assert fake.media[sent.media_id].content == PNG
    assert fake.media[sent.media_id].mime_type == "image/png"
    assert sent.text == "📖 Parta un durazno" and sent.buttons == [("Siguiente ▶", "next")]


async def test_a_document_with_a_caption_and_a_photo_alone(
    graph: tuple[FakeGraph, WhatsApp], tmp_path: Path
) -> None:
    fake, wa = graph
    sheet = tmp_path / "avance.xlsx"
    sheet.write_bytes(b"PK-xlsx")
    await send_reply(wa, TO, Reply("Su hoja", document=Attachment("avance.xlsx", path=sheet)))
    await send_reply(wa, TO, Reply(image=Attachment("chart.png", data=PNG)))
    document, photo = fake.messages(TO)
    assert document.type == "document" and document.payload["filename"] == "avance.xlsx"
    assert document.text == "Su hoja" and fake.media[document.media_id].content == b"PK-xlsx"
    assert photo.type == "image" and photo.text == "" and "caption" not in photo.payload


async def test_buttons_under_a_file_without_text_get_a_body(
    graph: tuple[FakeGraph, WhatsApp],
) -> None:
    fake, wa = graph
    reply = Reply(image=Attachment("qr.png", data=PNG), buttons=((Button("OK", "ok"),),))
    await send_reply(wa, TO, reply)
    (sent,) = fake.messages(TO)
    assert sent.text == BODY_UNDER_A_FILE and sent.buttons == [("OK", "ok")]


async def test_a_file_before_a_list_goes_first_on_its_own(
    graph: tuple[FakeGraph, WhatsApp],
) -> None:
    fake, wa = graph
    rows = tuple(ListRow(str(n), f"p:{n}") for n in range(5))
    reply = Reply("Elija", image=Attachment("c.png", data=PNG), choice_list=ChoiceList("Ver", rows))
    refs = await send_reply(wa, TO, reply)
    photo, listed = fake.messages(TO)
    assert refs == [photo.wamid, listed.wamid]
    assert photo.type == "image" and listed.interactive_type == "list" and listed.text == "Elija"


async def test_a_media_id_is_sent_again_after_a_download(
    graph: tuple[FakeGraph, WhatsApp],
) -> None:
    fake, wa = graph
    received = fake.add_media(b"\xff\xd8lecturer-photo", "image/jpeg")
    await send_reply(wa, TO, Reply("Aviso", image=Attachment("a.jpg", ref=received.media_id)))
    await send_reply(wa, TO, Reply("Sin foto", image=Attachment("a.jpg", ref="AgADBAAD-telegram")))
    photo, text_only = fake.messages(TO)
    assert photo.media_id != received.media_id
    assert fake.media[photo.media_id].content == b"\xff\xd8lecturer-photo"
    assert (text_only.type, text_only.text) == ("text", "Sin foto")


def transport_for(wa: WhatsApp) -> WhatsAppTransport:
    return WhatsAppTransport(wa, make_whatsapp_limiter(make_settings("sqlite+aiosqlite://")))


@pytest.mark.parametrize(
    ("code", "status", "result"),
    [
        (131000, 503, Result.retry),
        (131026, None, Result.undeliverable),
        (131049, None, Result.undeliverable),
        (131050, None, Result.undeliverable),
        (131047, None, Result.failed),  # an answer: no template stands in for it
        (131009, None, Result.failed),
    ],
)
async def test_the_transport_reads_meta_s_errors(
    graph: tuple[FakeGraph, WhatsApp], code: int, status: int | None, result: Result
) -> None:
    fake, wa = graph
    transport = transport_for(wa)
    person = Person(channel="whatsapp", channel_user_id=TO)
    fake.fail_next(code, status=status)
    outcome = await transport.send(person, Reply("Recordatorio"))
    assert outcome.result is result
    assert outcome.error is not None and str(code) in outcome.error
    again = await transport.send(person, Reply("Recordatorio"))
    (sent,) = fake.messages(TO)
    assert again.result is Result.sent and again.message_refs == (sent.wamid,)


async def test_too_fast_is_sent_after_the_budget_pauses(graph: tuple[FakeGraph, WhatsApp]) -> None:
    """130429 (the number's rate): the budget holds everything back a moment, then the same
    message goes; the delivery engine never sees the refusal."""
    fake, wa = graph
    fake.fail_next(130429)
    outcome = await transport_for(wa).send(
        Person(channel="whatsapp", channel_user_id=TO), Reply("Recordatorio")
    )
    (sent,) = fake.messages(TO)
    assert outcome.result is Result.sent and outcome.message_refs == (sent.wamid,)
    assert fake.errors_answered == [(TO, 130429)]


async def test_the_network_away_is_tried_again(graph: tuple[FakeGraph, WhatsApp]) -> None:
    fake, wa = graph
    await fake.stop()
    outcome = await transport_for(wa).send(
        Person(channel="whatsapp", channel_user_id=TO), Reply("x")
    )
    assert outcome.result is Result.retry
