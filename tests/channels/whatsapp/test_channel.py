"""The channel's start (what it refuses, and why), its offers to handlers, and replies Meta will
not take at once (kept in the outbox, then sent by the delivery engine)."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.channels.whatsapp.channel import WhatsAppChannel, join_link
from bot.db.models import Delivery, DeliveryKind
from bot.i18n import Translator
from bot.runtime import StartupError
from tests.channels.whatsapp.conftest import free_port, running_whatsapp, whatsapp_settings
from tests.fakes.graph_server import FakeGraph

es = Translator("es")


def test_a_class_code_becomes_a_wa_me_link_with_the_join_command() -> None:
    link = join_link("5215512345678", "ABCD-EFGH")
    assert link == "https://wa.me/5215512345678?text=%2Fjoin%20ABCD-EFGH"


@pytest.mark.parametrize("missing", ["whatsapp_app_secret", "whatsapp_verify_token"])
async def test_without_the_app_secret_or_verify_token_it_refuses_to_start(
    fake_graph: FakeGraph, missing: str
) -> None:
    settings = whatsapp_settings(fake_graph, "sqlite+aiosqlite://", **{missing: ""})
    channel = WhatsAppChannel(settings)
    with pytest.raises(StartupError) as refused:
        await channel.open()
    assert refused.value.exit_code == 2 and missing.upper() in str(refused.value)
    await channel.close()


async def test_a_refused_token_is_exit_2_and_an_unreachable_api_exit_4(
    fake_graph: FakeGraph,
) -> None:
    wrong = WhatsAppChannel(
        whatsapp_settings(fake_graph, "sqlite+aiosqlite://", whatsapp_access_token="EAAG-old")
    )
    with pytest.raises(StartupError) as refused:
        await wrong.open()
    assert refused.value.exit_code == 2 and "WHATSAPP_ACCESS_TOKEN" in str(refused.value)
    await wrong.close()
    away = WhatsAppChannel(
        whatsapp_settings(
            fake_graph,
            "sqlite+aiosqlite://",
            whatsapp_api_url=f"http://127.0.0.1:{free_port()}",
        )
    )
    with pytest.raises(StartupError) as unreachable:
        await away.open()
    assert unreachable.value.exit_code == 4 and "WHATSAPP_API_URL" in str(unreachable.value)
    await away.close()


async def test_the_offers_download_media_and_link_to_the_number(fake_graph: FakeGraph) -> None:
    channel = WhatsAppChannel(whatsapp_settings(fake_graph, "sqlite+aiosqlite://"))
    offers = await channel.open()
    try:
        media = fake_graph.add_media(b"OggS-note", "audio/ogg")
        assert (
            offers.fetch_file is not None
            and await offers.fetch_file(media.media_id) == b"OggS-note"
        )
        assert offers.link_for is not None and offers.link_for("K7").startswith("https://wa.me/52")
    finally:
        await channel.close()


async def test_a_reply_meta_will_not_take_now_waits_in_the_outbox(
    fake_graph: FakeGraph, database_url: str
) -> None:
    async with running_whatsapp(fake_graph, whatsapp_settings(fake_graph, database_url)) as live:
        ana = fake_graph.user("MX.1010", "Ana")
        fake_graph.fail_next(131000, status=503, recipient=ana.user_id)  # Meta is away
        await ana.send_text("/help")
        for _ in range(100):
            async with live.runtime.sessions() as session:
                kept = list(await session.exec(select(Delivery)))
            if kept:
                break
            await asyncio.sleep(0.05)
        (row,) = kept
        assert row.kind is DeliveryKind.reply and ana.messages() == []

        assert live.runtime.delivery is not None
        await live.runtime.delivery.tick()
        (helped,) = await ana.wait_messages(1)
        assert helped.text.startswith(es("help.text")[:20])


async def test_a_list_kept_in_the_outbox_comes_back_as_a_list(
    fake_graph: FakeGraph, database_url: str
) -> None:
    async with running_whatsapp(fake_graph, whatsapp_settings(fake_graph, database_url)) as live:
        ana = fake_graph.user("MX.1011", "Ana")
        await ana.send_text("/start")
        await ana.wait_messages(1)
        fake_graph.fail_next(131000, status=503, recipient=ana.user_id)  # Meta is away
        await ana.send_text("menú")
        for _ in range(100):
            async with live.runtime.sessions() as session:
                kept = list(await session.exec(select(Delivery)))
            if kept:
                break
            await asyncio.sleep(0.05)
        assert len(kept) == 1
        assert live.runtime.delivery is not None
        await live.runtime.delivery.tick()
        (menu,) = await ana.wait_messages(1)
        assert menu.interactive_type == "list" and menu.text == es("show_menu.text")
        assert es("menu.help") in [row["title"] for row in menu.rows]
