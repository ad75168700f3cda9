"""Telegram and WhatsApp in one process: one runtime, one web server, one database; each person
served on their own channel, with their own channel's file downloads, "typing…" and join links."""

from __future__ import annotations

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.channels.whatsapp.conftest import whatsapp_settings
from tests.fakes.graph_server import FakeGraph
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram

es, en = Translator("es"), Translator("en")


async def test_telegram_and_whatsapp_in_one_runtime(database_url: str) -> None:
    async with FakeTelegram() as telegram, FakeGraph() as graph, FakeOpenAI() as llm:
        settings = whatsapp_settings(
            graph,
            database_url,
            bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            polling_timeout=1,
            send_rate_per_chat=100.0,
            send_burst_per_chat=100,
            llm_base_url=llm.base_url,
            llm_api_key="k",
            transcription_model="whisper-1",
        )
        engine = make_engine(settings)
        await upgrade(engine)
        await engine.dispose()
        channels = [TelegramChannel(settings), WhatsAppChannel(settings)]
        async with Runtime.running(settings, channels, deliveries=False):
            graph.webhook_url = (
                f"http://127.0.0.1:{settings.webhook_port}{settings.whatsapp_webhook_path}"
            )
            ben = telegram.user(901, "Ben", language_code="en")
            ana = graph.user("MX.1001", "Ana")
            await ben.send_text("/help")
            await ana.send_text("/help")
            assert (await ben.wait_messages(1))[0].text == en("help.text")
            assert (await ana.wait_messages(1))[0].text.startswith(es("help.text"))

            # A WhatsApp voice note is fetched from Meta, not from Telegram.
            llm.transcribe_as("¿Cómo tomo la foto junto a una ventana con luz del día?")
            llm.reply("Junto a una ventana, con luz de día [good-photos].")
            asked = await ana.send_voice(b"OggS-ana")
            (answer,) = await ana.wait_messages(1)
            assert answer.text.startswith("Junto a una ventana")
            assert (asked, True) in graph.read_receipts  # WhatsApp's "typing…"
            assert not [r for r in telegram.requests if r.method == "sendChatAction"]
