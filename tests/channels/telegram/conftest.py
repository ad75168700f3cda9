"""The real aiogram bot, as `academy run` starts it (the runtime's lifecycle with the Telegram
channel), talking to a fake Bot API server over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aiogram import Bot, Dispatcher

from bot.channels.sending.limiter import SendLimiter
from bot.channels.telegram.channel import TelegramChannel
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.runtime import Runtime
from tests.conftest import _Running, make_settings
from tests.fakes.telegram_server import FakeTelegram


@dataclass
class LiveBot:
    fake: FakeTelegram
    runtime: Runtime
    bot: Bot
    dispatcher: Dispatcher
    channel: TelegramChannel


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@asynccontextmanager
async def running_bot(
    fake: FakeTelegram, settings: Settings, *, limiter: SendLimiter | None = None
) -> AsyncIterator[LiveBot]:
    """The bot on a migrated database through `Runtime.running`, until the block ends: long
    polling, or a web-hook when the settings have WEBHOOK_URL. The delivery ticker is off (tests
    tick the engine themselves)."""
    assert _Running.uses_database, "ask for the `database_url` fixture"
    engine = make_engine(settings)
    await upgrade(engine)
    await engine.dispose()
    channel = TelegramChannel(settings, limiter=limiter)
    async with Runtime.running(settings, [channel], deliveries=False) as runtime:
        assert channel.bot is not None and channel.dispatcher is not None
        yield LiveBot(fake, runtime, channel.bot, channel.dispatcher, channel)


@asynccontextmanager
async def polling_bot(
    fake: FakeTelegram, database_url: str, **overrides: object
) -> AsyncIterator[LiveBot]:
    """The real bot long-polling `fake` on a migrated database, until the block ends."""
    settings = make_settings(
        database_url,
        bot_token=fake.token,
        telegram_api_url=fake.base_url,
        polling_timeout=1,
        **overrides,
    )
    async with running_bot(fake, settings) as live:
        yield live


@pytest.fixture
async def live_bot(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[LiveBot]:
    # The per-chat pace is tested on its own; here it would only make the tests slow.
    async with polling_bot(
        fake_telegram, database_url, send_rate_per_chat=100.0, send_burst_per_chat=100
    ) as live:
        yield live
