"""Webhook mode over real HTTP: Telegram's calls carry the secret token; /healthz answers."""

from __future__ import annotations

import aiohttp

from bot.channels.telegram.app import webhook_path
from bot.i18n import Translator
from tests.channels.telegram.conftest import running_bot
from tests.conftest import make_settings
from tests.fakes.server import free_port
from tests.fakes.telegram_server import FakeTelegram


def test_webhook_path_comes_from_the_url() -> None:
    assert webhook_path("https://bot.example.org/tg/hook") == "/tg/hook"
    assert webhook_path("https://bot.example.org") == "/webhook"


async def test_updates_arrive_by_webhook_and_a_wrong_secret_is_refused(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    settings = make_settings(
        database_url,
        bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.base_url,
        webhook_url=url,
        webhook_host="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret-token",
    )
    async with running_bot(fake_telegram, settings):
        ana = fake_telegram.user(601, "Ana", language_code="es")
        await ana.send_text("/help")  # the fake POSTs it to our webhook with the secret
        (answer,) = await ana.wait_messages(1)
        assert answer.text == Translator("es")("help.text")

        forged = await fake_telegram.post_update_to(url, {"message": ana.text_message("/help")})
        assert forged == 401
        wrong = await fake_telegram.post_update_to(
            url, {"message": ana.text_message("/help")}, secret_token="guess"
        )
        assert wrong == 401
        assert len(fake_telegram.messages(ana.id)) == 1  # neither was handled

        async with (
            aiohttp.ClientSession() as client,
            client.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
            assert (await response.json()) == {"status": "ok"}
