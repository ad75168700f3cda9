"""End to end over real HTTP: the runtime with the WhatsApp channel, the fake Graph API posting
signed web-hooks and recording what the bot sends."""

from __future__ import annotations

from bot.i18n import Translator
from tests.channels.whatsapp.conftest import LiveWhatsApp

es = Translator("es")


async def test_a_first_hola_gets_the_welcome_in_one_message(live_whatsapp: LiveWhatsApp) -> None:
    ana = live_whatsapp.fake.user("MX.1001", "Ana", wa_id="5215550001001")
    await ana.send_text("hola")
    (welcome,) = await ana.wait_messages(1)
    print(welcome.body)
    assert welcome.text.startswith(es("start.welcome", name="Ana"))
