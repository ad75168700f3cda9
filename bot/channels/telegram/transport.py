"""The delivery engine's way out through Telegram, sharing the bot's rate limiter."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.channels.telegram.convert import CHANNEL, send_reply
from bot.core.messages import Reply
from bot.db.models import Person
from bot.scheduling.transport import Outcome, Result


class TelegramTransport:
    channel = CHANNEL

    def __init__(self, bot: Bot, *, paid_broadcast: bool = False) -> None:
        self.bot = bot
        self.paid_broadcast = paid_broadcast

    async def send(self, person: Person, reply: Reply) -> Outcome:
        try:
            await send_reply(
                self.bot,
                int(person.channel_user_id),
                reply,
                None,
                paid_broadcast=self.paid_broadcast,
            )
        except TelegramForbiddenError as error:
            return Outcome(Result.blocked, str(error))
        except TelegramRetryAfter as error:  # the session middleware already waited 4 times
            return Outcome(Result.retry, str(error), retry_after=error.retry_after)
        except (TelegramNetworkError, TelegramServerError) as error:
            return Outcome(Result.retry, str(error)[:500])
        except TelegramBadRequest as error:  # chat not found, message malformed: never works
            return Outcome(Result.failed, str(error)[:500])
        except TelegramAPIError as error:
            return Outcome(Result.retry, str(error)[:500])
        return Outcome.ok()
