"""Telegram as a channel of the runtime: long polling, or a web-hook on the shared web server."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.utils.token import TokenValidationError
from aiohttp import web

from bot.channels.sending.limiter import SendLimiter
from bot.channels.telegram.app import (
    CAPABILITIES,
    UPDATE_TYPES,
    add_webhook_routes,
    build_dispatcher,
    make_bot,
    run_polling,
)
from bot.channels.telegram.convert import CHANNEL
from bot.channels.telegram.menus import (
    StaffMenus,
    publish_commands,
    publish_descriptions,
    publish_menu_button,
)
from bot.channels.telegram.transport import TelegramTransport
from bot.config import Settings
from bot.runtime import Offers, Runtime, StartupError
from bot.runtime.workers import ONLY, Worker

log = logging.getLogger(__name__)
STAFF_MENUS_EVERY = 60.0  # seconds between two checks that staff menus match roles


class TelegramChannel:
    """The Telegram bot: updates in by long polling (or a web-hook when WEBHOOK_URL is set), the
    replies and scheduled messages out through one rate-limited Bot."""

    name = CHANNEL
    capabilities = CAPABILITIES

    def __init__(
        self,
        settings: Settings,
        *,
        worker: Worker = ONLY,
        intake: bool = True,
        limiter: SendLimiter | None = None,
    ) -> None:
        """`intake` off: only the sending side (`academy deliver`). `limiter`: the sending
        budget, when not the one the settings make (tests, benchmarks)."""
        self.settings = settings
        self.limiter = limiter
        self.worker = worker
        self.intake = intake
        self.needs_web = intake and bool(settings.webhook_url)
        self.bot: Bot | None = None
        self.dispatcher: Dispatcher | None = None
        self.transport: TelegramTransport | None = None
        self.staff: StaffMenus | None = None
        self._polling: asyncio.Task[None] | None = None
        self._runtime: Runtime | None = None

    async def open(self) -> Offers:
        """Connect and learn the bot's name, so invite codes become t.me deep links. A refused
        token or an unreachable server is a StartupError that says what to check."""
        settings = self.settings
        try:
            self.bot = bot = make_bot(settings, self.limiter)
        except TokenValidationError as error:
            raise StartupError(
                f"Telegram refused BOT_TOKEN ({error}). Check the token from @BotFather.", 2
            ) from error
        try:
            me = await bot.me()
        except TelegramUnauthorizedError as error:
            raise StartupError(
                f"Telegram refused BOT_TOKEN ({error}). Check the token from @BotFather.", 2
            ) from error
        except TelegramNetworkError as error:
            server = settings.telegram_api_url or "api.telegram.org"
            raise StartupError(
                f"Could not reach Telegram at {server}: {error}. Check the network or "
                "TELEGRAM_API_URL.",
                4,
            ) from error
        self.transport = TelegramTransport(bot, paid_broadcast=settings.paid_broadcast)
        username = me.username or ""

        async def fetch_file(file_id: str) -> bytes:
            found = await bot.get_file(file_id)
            assert found.file_path is not None
            data = await bot.download_file(found.file_path)
            assert data is not None
            return data.read()

        async def show_typing(user_id: str) -> None:
            await bot.send_chat_action(chat_id=int(user_id), action=ChatAction.TYPING)

        return Offers(
            link_for=lambda code: f"https://t.me/{username}?start={code}",
            fetch_file=fetch_file,
            show_typing=show_typing,
        )

    async def start(self, runtime: Runtime, app: web.Application) -> asyncio.Task[None] | None:
        assert self.bot is not None, "open() first"
        self._runtime = runtime
        if not self.intake:
            return None
        self.dispatcher = build_dispatcher(runtime)
        if self.settings.webhook_url:
            add_webhook_routes(app, runtime, self.bot, self.dispatcher)
            return None
        started = asyncio.Event()
        self.dispatcher.startup.register(started.set)
        self._polling = asyncio.create_task(
            run_polling(self.bot, self.dispatcher, self.settings, handle_signals=False)
        )
        waiting = asyncio.ensure_future(started.wait())
        await asyncio.wait([waiting, self._polling], return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if self._polling.done():
            await self._polling  # it failed before polling: say why now
        return self._polling

    async def live(self) -> None:
        """The lead worker registers the web-hook (once the server listens), the menus, the
        descriptions and the Mini App's menu button, and keeps staff menus in step with roles."""
        bot, runtime = self.bot, self._runtime
        assert bot is not None and runtime is not None
        settings = self.settings
        if self.intake and settings.webhook_url:
            log.info(
                "webhook worker %d of %d listening on %s:%s",
                self.worker.index + 1,
                self.worker.count,
                settings.webhook_host,
                settings.webhook_port,
            )
        if not self.worker.lead or not self.intake:
            return
        if settings.webhook_url:
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret_token,
                allowed_updates=UPDATE_TYPES,
            )
        await publish_commands(bot, settings.default_language)
        await publish_descriptions(bot, settings.default_language)
        await publish_menu_button(bot, settings)
        self.staff = StaffMenus(bot)
        await self.sync_staff_menus()
        runtime.every(STAFF_MENUS_EVERY, self.sync_staff_menus, name="telegram-staff-menus")

    async def sync_staff_menus(self) -> None:
        """Staff menus as roles now are (see StaffMenus); a failure waits for the next run."""
        if self.staff is None or self._runtime is None:
            return
        try:
            async with self._runtime.sessions() as session:
                await self.staff.sync(session)
        except Exception as error:
            log.warning("could not bring staff menus up to date: %s", error)

    async def stop(self) -> None:
        """Take no more updates; the update in hand finishes."""
        if self._polling is not None and self.dispatcher is not None:
            if not self._polling.done():
                with contextlib.suppress(RuntimeError):  # polling had not begun
                    await self.dispatcher.stop_polling()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._polling, self.settings.shutdown_grace + 5)

    async def close(self) -> None:
        if self.bot is not None:
            await self.bot.session.close()
