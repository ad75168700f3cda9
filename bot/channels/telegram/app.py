"""The Telegram bot's update side: dispatcher, one DB session per update, polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from aiogram import BaseMiddleware, Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    Message,
    TelegramObject,
    Update,
)
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.outage import SavedNotices, pauses
from bot.channels.sending import Budget
from bot.channels.sending import make_limiter as make_budget_limiter
from bot.channels.sending.limiter import SendLimiter
from bot.channels.sending.shared import RedisSendLimiter
from bot.channels.telegram.convert import (
    CHANNEL,
    incoming_from_callback,
    incoming_from_message,
    send_reply,
)
from bot.channels.telegram.ratelimit import FloodControl
from bot.channels.telegram.webhook import WebhookRequests
from bot.config import Settings
from bot.core.capabilities import Capabilities, LengthUnit
from bot.core.locks import KeyedLock
from bot.core.messages import Incoming, Reply
from bot.db.outage import DatabaseUnavailable, database_unavailable
from bot.db.people import mark_blocked
from bot.i18n import Translator, normalise_language
from bot.runtime import Runtime
from bot.scheduling import outbox

log = logging.getLogger(__name__)
UPDATE_TYPES = ["message", "callback_query", "my_chat_member"]
# Sends leave at exactly the configured pace, but arrive with network jitter: staying 3 % under
# Telegram's limit keeps any one-second window under it (measured in bench/fanout.py).
HEADROOM = 0.97


class SessionPerUpdate(BaseMiddleware):
    """Opens one database session for each update and hands it to the handler as `session`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async with self.sessions() as session:
            data["session"] = session
            return await handler(event, data)


# What Telegram shows: inline buttons under a message (100 at most, callback data <= 64 bytes),
# a persistent keyboard, edits, photos and documents, 4,096-character texts counted in UTF-16
# units (an emoji counts two).
CAPABILITIES = Capabilities(
    name=CHANNEL,
    length_unit=LengthUnit.utf16,
    text_limit=4096,
    text_limit_with_buttons=4096,
    caption_limit=1024,
    max_buttons=100,
    button_label_limit=64,
    edits=True,
    documents=True,
    images=True,
    persistent_menu=True,
    payload_limit=64,
)


class UpdateHandler:
    """Turns updates into Incoming, has the runtime answer them, sends the replies."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.runtime = runtime
        self.locks = KeyedLock()
        self.clock = clock
        self.sleep = sleep
        self.told_saved = SavedNotices()

    async def answer(
        self,
        bot: Bot,
        session: AsyncSession,
        incoming: Incoming,
        chat_id: int,
        edit_message_id: int | None = None,
        *,
        redelivers: bool = False,
    ) -> None:
        """Handle one update and send its replies. While the database is away, the update is
        tried again: by Telegram (`redelivers`, a webhook: raises DatabaseUnavailable) or here,
        with growing pauses, holding this person's later updates behind it."""
        async with self.locks.hold(incoming.sender.user_id):
            waits = pauses()
            while True:
                try:
                    answer = await self.runtime.replies_to(incoming, session, CAPABILITIES)
                    replies, queued = answer.replies, answer.replies_waiting
                    break
                except Exception as error:
                    with contextlib.suppress(Exception):
                        await session.rollback()
                    if not database_unavailable(error):  # the pipeline itself failed
                        log.exception("could not handle an update from %s", chat_id)
                        language = normalise_language(incoming.sender.language_hint)
                        replies = [Reply(Translator(language)("error.internal"))]
                        queued = False
                        break
                    await self.tell_saved(bot, incoming, chat_id)
                    if redelivers:
                        raise DatabaseUnavailable(str(error)) from error
                    pause = next(waits)
                    log.warning("database away (%s); trying again in %.1f s", error, pause)
                    await self.sleep(pause)
            await self.deliver(bot, session, chat_id, replies, edit_message_id, queued=queued)

    async def tell_saved(self, bot: Bot, incoming: Incoming, chat_id: int) -> None:
        """Once per person and outage: their message is kept and will be answered."""
        if not self.told_saved.due(incoming.sender.user_id, self.clock()):
            return
        language = normalise_language(incoming.sender.language_hint)
        try:
            await bot.send_message(chat_id=chat_id, text=Translator(language)("error.saved"))
        except TelegramAPIError as error:  # a courtesy: the update is kept all the same
            log.info("could not tell %s their message is saved: %s", chat_id, error)

    async def deliver(
        self,
        bot: Bot,
        session: AsyncSession,
        chat_id: int,
        replies: list[Reply],
        edit_message_id: int | None,
        *,
        queued: bool = False,
    ) -> None:
        """Send the replies; what Telegram will not take now (past FloodControl's retries) goes
        to the outbox, and so does everything while earlier replies wait there (`queued`, as the
        Academy read it with the person)."""
        if not replies:
            return
        if queued:
            await self.keep(session, chat_id, replies)
            return
        for index, reply in enumerate(replies):
            try:
                await send_reply(bot, chat_id, reply, edit_message_id)
            except TelegramForbiddenError:
                log.info("chat %s blocked the bot; marking them blocked", chat_id)
                await mark_blocked(session, CHANNEL, str(chat_id))
                return
            except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as error:
                log.warning("Telegram refused a reply to %s (%s): keeping it", chat_id, error)
                await self.keep(session, chat_id, replies[index:])
                return
            except TelegramAPIError:  # a bad request: sending it again cannot help
                log.exception("sending to chat %s failed", chat_id)

    async def keep(self, session: AsyncSession, chat_id: int, replies: list[Reply]) -> None:
        """Put replies in the outbox for the delivery engine."""
        now = self.runtime.academy.services.clock()
        try:
            await outbox.keep(session, CHANNEL, str(chat_id), replies, now)
        except Exception:  # the database is away too: nothing can hold them
            log.exception("%d replies to %s lost: the outbox is unreachable", len(replies), chat_id)

    async def on_message(
        self,
        message: Message,
        bot: Bot,
        session: AsyncSession,
        event_update: Update,
        redelivers: bool = False,
    ) -> None:
        if message.chat.type != ChatType.PRIVATE:
            return
        incoming = incoming_from_message(message)
        if incoming is not None:
            incoming = replace(incoming, update_ref=str(event_update.update_id))
            await self.answer(bot, session, incoming, message.chat.id, redelivers=redelivers)

    async def on_callback(
        self,
        query: CallbackQuery,
        bot: Bot,
        session: AsyncSession,
        event_update: Update,
        redelivers: bool = False,
    ) -> None:
        try:
            await query.answer()  # stops the spinner on the button at once
        except TelegramAPIError as error:
            log.info("answerCallbackQuery failed: %s", error)
        if query.message is None:
            return
        incoming = replace(incoming_from_callback(query), update_ref=str(event_update.update_id))
        chat_id, message_id = query.message.chat.id, query.message.message_id
        await self.answer(bot, session, incoming, chat_id, message_id, redelivers=redelivers)

    async def on_member(self, update: ChatMemberUpdated, session: AsyncSession) -> None:
        if update.chat.type == ChatType.PRIVATE and update.new_chat_member.status in (
            ChatMemberStatus.KICKED,
            ChatMemberStatus.LEFT,
        ):
            await mark_blocked(session, CHANNEL, str(update.from_user.id))


def build_dispatcher(runtime: Runtime) -> Dispatcher:
    """The dispatcher with our single router and the session middleware."""
    channel = UpdateHandler(runtime)
    router = Router(name="academy")
    router.message.register(channel.on_message)
    router.callback_query.register(channel.on_callback)
    router.my_chat_member.register(channel.on_member)
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(SessionPerUpdate(runtime.sessions))
    dispatcher.include_router(router)
    dispatcher["channel"] = channel
    return dispatcher


def make_limiter(settings: Settings) -> SendLimiter | RedisSendLimiter:
    """The sending budget: shared by all workers through Redis when REDIS_URL is set, else this
    process's own."""
    bot_id = settings.bot_token.get_secret_value().partition(":")[0] or "bot"
    budget = Budget(
        bot_id,  # one budget per bot
        settings.send_rate_global * HEADROOM,
        settings.send_rate_per_chat,
        settings.send_burst_per_chat,
    )
    return make_budget_limiter(budget, settings)


def make_bot(settings: Settings, limiter: SendLimiter | None = None) -> Bot:
    """A Bot on Telegram's servers or on `TELEGRAM_API_URL`, with flood control on sends."""
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        if settings.telegram_api_url
        else AiohttpSession()
    )
    session.middleware(FloodControl(limiter or make_limiter(settings)))
    token = settings.bot_token.get_secret_value()
    return Bot(token, session=session, default=DefaultBotProperties())


def webhook_path(url: str) -> str:
    path = urlsplit(url).path
    return path if path not in ("", "/") else "/webhook"


def add_webhook_routes(
    app: web.Application, runtime: Runtime, bot: Bot, dispatcher: Dispatcher
) -> None:
    """The webhook route (checking Telegram's secret token) on the runtime's shared app."""
    # The update is handled before answering: if the process dies, or the database is away,
    # Telegram sends it again.
    WebhookRequests(dispatcher, bot, secret_token=runtime.settings.webhook_secret_token).register(
        app, path=webhook_path(runtime.settings.webhook_url)
    )
    setup_application(app, dispatcher, bot=bot)


async def run_polling(
    bot: Bot, dispatcher: Dispatcher, settings: Settings, *, handle_signals: bool = True
) -> None:
    """Long polling until stopped (a signal, or `dispatcher.stop_polling()`)."""
    await bot.delete_webhook(drop_pending_updates=False)
    await dispatcher.start_polling(
        bot,
        polling_timeout=settings.polling_timeout,
        allowed_updates=UPDATE_TYPES,
        handle_signals=handle_signals,
        close_bot_session=False,
    )
