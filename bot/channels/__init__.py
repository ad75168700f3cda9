"""The channels, one folder (or module) each; the runtime knows them only as `bot.runtime.Channel`.

Adding a channel: a folder here with a class implementing `bot.runtime.Channel`, and one line
in `CHANNELS` naming how to build it and when it is on. Each builder imports its channel only
when called, so a platform's library (aiogram) is imported only when that channel runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Settings
from bot.runtime import Channel
from bot.runtime.workers import ONLY, Worker


def _telegram(settings: Settings, worker: Worker) -> Channel:
    from bot.channels.telegram.channel import TelegramChannel

    return TelegramChannel(settings, worker=worker)


def _whatsapp(settings: Settings, worker: Worker) -> Channel:
    from bot.channels.whatsapp.channel import WhatsAppChannel

    return WhatsAppChannel(settings, worker=worker)


def _wechat(settings: Settings, worker: Worker) -> Channel:
    from bot.channels.wechat.channel import WeChatChannel

    return WeChatChannel(settings, worker=worker)


@dataclass(frozen=True)
class Listed:
    """A channel the bot can run: how to build it, and whether the settings turn it on."""

    build: Callable[[Settings, Worker], Channel]
    enabled: Callable[[Settings], bool]


# One line per channel. The console is not listed: it is what `academy run` starts when no
# channel is enabled, and what `academy chat` always is.
CHANNELS: dict[str, Listed] = {
    "telegram": Listed(_telegram, lambda settings: bool(settings.bot_token)),
    "whatsapp": Listed(
        _whatsapp,
        lambda settings: bool(settings.whatsapp_phone_number_id and settings.whatsapp_access_token),
    ),
    "wechat": Listed(
        _wechat,
        lambda settings: bool(
            settings.wechat_app_id and settings.wechat_app_secret.get_secret_value()
        ),
    ),
}


def enabled_channels(settings: Settings, worker: Worker = ONLY) -> list[Channel]:
    """Every listed channel the settings turn on, built (not yet opened)."""
    return [
        listed.build(settings, worker) for listed in CHANNELS.values() if listed.enabled(settings)
    ]
