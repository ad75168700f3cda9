"""Flood control on everything the bot sends: Telegram's ~30 msg/s overall and ~1 msg/s per chat.

The budget itself (`SendLimiter`) lives in bot/channels/sending/, shared with WhatsApp. A request
middleware on the bot's session waits for a token before each send, and on a 429 waits
`retry_after` and tries again, so no handler has to think about limits. It also counts every
send attempt by outcome (`academy_sends_total`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import Response, SendChatAction, TelegramMethod
from aiogram.methods.base import TelegramType

from bot import metrics
from bot.channels.sending.limiter import SendLimiter

log = logging.getLogger(__name__)


def _chat_of(method: TelegramMethod[Any]) -> int | str | None:
    return getattr(method, "chat_id", None)


def _is_send(method: TelegramMethod[Any]) -> bool:
    """A message to a chat: what Telegram's flood limits count."""
    if isinstance(method, SendChatAction) or _chat_of(method) is None:
        return False
    return type(method).__name__.startswith(("Send", "Edit", "Copy", "Forward"))


class FloodControl(BaseRequestMiddleware):
    """Rate-limits sends, honours `retry_after`, retries brief network and server errors."""

    def __init__(self, limiter: SendLimiter | Any, max_retries: int = 4) -> None:
        self.limiter = limiter
        self.max_retries = max_retries

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not _is_send(method):  # polling, callbacks and the like keep aiogram's own handling
            return await make_request(bot, method)
        chat_id = _chat_of(method)
        assert chat_id is not None
        attempt = 0
        while True:
            await self.limiter.acquire(chat_id)
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as error:
                metrics.count_send("retry_after")
                if attempt >= self.max_retries:
                    raise
                log.warning(
                    "429 on %s: retrying after %ss", type(method).__name__, error.retry_after
                )
                paused = self.limiter.pause_chat(chat_id, error.retry_after)
                if asyncio.iscoroutine(paused):  # the Redis-shared budget tells Redis
                    await paused
            except (TelegramNetworkError, TelegramServerError) as error:
                metrics.count_send("error")
                if attempt >= 2:
                    raise
                log.warning("%s on %s: retrying", error, type(method).__name__)
                await self.limiter.sleep(0.5 * 2**attempt)
            except TelegramForbiddenError:
                metrics.count_send("blocked")
                raise
            except Exception:
                metrics.count_send("error")
                raise
            else:
                metrics.count_send("ok")
                return response
            attempt += 1
