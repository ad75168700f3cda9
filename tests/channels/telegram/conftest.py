"""The real aiogram bot polling a fake Bot API server over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aiogram import Bot, Dispatcher

from bot.channels.telegram.app import (
    build_dispatcher,
    introduce,
    make_bot,
    publish_commands,
    run_polling,
)
from bot.runtime import Runtime
from tests.conftest import make_settings, migrated_runtime
from tests.fakes.telegram_server import FakeTelegram


@dataclass
class LiveBot:
    fake: FakeTelegram
    runtime: Runtime
    bot: Bot
    dispatcher: Dispatcher


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


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
    runtime = await migrated_runtime(settings)
    bot = make_bot(settings)
    dispatcher = build_dispatcher(runtime)
    await introduce(runtime, bot)
    await publish_commands(bot, settings.default_language)
    started = asyncio.Event()

    async def on_startup() -> None:
        started.set()

    dispatcher.startup.register(on_startup)
    polling = asyncio.create_task(run_polling(bot, dispatcher, settings, handle_signals=False))
    await asyncio.wait_for(started.wait(), 10)
    try:
        yield LiveBot(fake, runtime, bot, dispatcher)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 10)
        await bot.session.close()
        await runtime.close()


@pytest.fixture
async def live_bot(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[LiveBot]:
    # The per-chat pace is tested on its own; here it would only make the tests slow.
    async with polling_bot(
        fake_telegram, database_url, send_rate_per_chat=100.0, send_burst_per_chat=100
    ) as live:
        yield live
