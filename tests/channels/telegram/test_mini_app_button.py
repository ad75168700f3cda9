"""The bot's menu button opens the Mini App, over real HTTP against the fake Bot API: set once
at start when PUBLIC_URL is https (and the dashboard that serves /web/app is on), left alone
otherwise, and a refusal from Telegram never stops the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import MenuButtonDefault, MenuButtonWebApp, WebAppInfo

from bot.i18n import Translator
from tests.channels.telegram.conftest import LiveBot, polling_bot
from tests.channels.telegram.test_webhook import free_port
from tests.fakes.telegram_server import FakeTelegram

es = Translator("es")
HTTPS = "https://academy.example.org/"


@asynccontextmanager
async def bot_with(
    fake: FakeTelegram, database_url: str, **overrides: object
) -> AsyncIterator[LiveBot]:
    """The polling bot with the dashboard on (on a free port: it serves /web/app)."""
    settings: dict[str, object] = {
        "web_dashboard": True,
        "webhook_host": "127.0.0.1",
        "webhook_port": free_port(),
        "public_url": HTTPS,
        **overrides,
    }
    async with polling_bot(fake, database_url, **settings) as live:
        yield live


def menu_calls(fake: FakeTelegram) -> list[str]:
    return [r.method for r in fake.requests if r.method == "setChatMenuButton"]


async def still_answers(fake: FakeTelegram) -> None:
    ana = fake.user(951, "Ana")
    await ana.send_text("/start")
    [welcome] = await ana.wait_messages(1)
    assert welcome.text


async def test_with_an_https_address_the_menu_button_opens_the_mini_app(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    async with bot_with(fake_telegram, database_url, default_language="es"):
        assert menu_calls(fake_telegram) == ["setChatMenuButton"]  # once, for every chat
        assert fake_telegram.menu_buttons == {
            None: {
                "type": "web_app",
                "text": es("menu.mini_app"),
                "web_app": {"url": "https://academy.example.org/web/app"},
            }
        }
        await still_answers(fake_telegram)


@pytest.mark.parametrize(
    "overrides",
    [
        {"public_url": "http://academy.example.org"},
        {"public_url": ""},
        {"telegram_menu_button": False},
        {"web_dashboard": False},
    ],
    ids=["http", "no-public-url", "setting-off", "no-dashboard"],
)
async def test_otherwise_the_menu_button_is_left_alone(
    fake_telegram: FakeTelegram, database_url: str, overrides: dict[str, object]
) -> None:
    async with bot_with(fake_telegram, database_url, **overrides):
        assert fake_telegram.requests  # the bot did start and talk to Telegram
        assert menu_calls(fake_telegram) == []
        assert fake_telegram.menu_buttons == {}


async def test_a_refused_menu_button_does_not_stop_the_bot(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    fake_telegram.fail_next("setChatMenuButton", status=400, description="Bad Request: nope")
    async with bot_with(fake_telegram, database_url):
        [call] = [r for r in fake_telegram.requests if r.method == "setChatMenuButton"]
        assert call.status == 400
        assert fake_telegram.menu_buttons == {}
        await still_answers(fake_telegram)


async def test_the_fake_refuses_menu_buttons_telegram_refuses(live_bot: LiveBot) -> None:
    bot = live_bot.bot
    plain_http = MenuButtonWebApp(text="x", web_app=WebAppInfo(url="http://example.org/web/app"))
    with pytest.raises(TelegramBadRequest, match="Only HTTPS"):
        await bot.set_chat_menu_button(menu_button=plain_http)
    no_label = MenuButtonWebApp(text="", web_app=WebAppInfo(url="https://example.org/web/app"))
    with pytest.raises(TelegramBadRequest):
        await bot.set_chat_menu_button(menu_button=no_label)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.set_chat_menu_button(chat_id=404, menu_button=MenuButtonDefault())
    assert live_bot.fake.menu_buttons == {}
    ana = live_bot.fake.user(952, "Ana")
    await bot.set_chat_menu_button(chat_id=ana.id, menu_button=MenuButtonDefault())
    assert (await bot.get_chat_menu_button(chat_id=ana.id)).type == "default"
