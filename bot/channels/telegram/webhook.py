"""The webhook's HTTP answers: 2xx only for an update that was handled, 503 when the database is
away (Telegram then delivers it again), 400 for a call that is not an update."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.db.outage import database_unavailable

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_AFTER = "5"  # seconds; Telegram keeps its own schedule, other callers may read it


class WebhookRequests(SimpleRequestHandler):
    """aiogram's handler, handling each update before answering, with honest status codes."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, secret_token: str) -> None:
        # `redelivers` reaches the channel's handlers: failing the call makes Telegram try again.
        super().__init__(
            dispatcher,
            bot,
            handle_in_background=False,
            secret_token=secret_token,
            redelivers=True,
        )

    async def handle(self, request: web.Request) -> web.Response:
        bot = await self.resolve_bot(request)
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), bot):
            return web.Response(body="Unauthorized", status=401)
        try:
            raw = await request.json(loads=bot.session.json_loads)
            update = Update.model_validate(raw, context={"bot": bot})
        except ValueError as error:  # bad JSON, or JSON that is not an Update (pydantic's)
            summary = str(error).splitlines()[0][:200]
            log.warning("webhook call refused: not an update (%s)", summary)
            return web.Response(body="Bad Request", status=400)
        try:
            # feed_update, not feed_webhook_update: that one logs a traceback for every
            # failure, and an outage is not worth one per redelivered update.
            result: Any = await self.dispatcher.feed_update(bot, update, **self.data)
        except Exception as error:
            if not database_unavailable(error):
                raise
            log.warning("update %s not handled: the database is away (%s)", update.update_id, error)
            return web.Response(
                body="Service Unavailable", status=503, headers={"Retry-After": RETRY_AFTER}
            )
        method = result if isinstance(result, TelegramMethod) else None
        return web.Response(body=self._build_response_writer(bot=bot, result=method))
