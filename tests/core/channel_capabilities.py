"""The three capability sets the fitting tests render replies under: what Telegram, the
WhatsApp Cloud API and a WeChat service account show (sources in docs/decisions.md,
"Issue 14: fitting replies to a channel")."""

from __future__ import annotations

from bot.channels.telegram.app import CAPABILITIES as TELEGRAM
from bot.channels.wechat.capabilities import CAPABILITIES as WECHAT
from bot.channels.whatsapp.capabilities import CAPABILITIES as WHATSAPP

# The channels' own declarations.
TELEGRAM_LIKE = TELEGRAM
WHATSAPP_LIKE = WHATSAPP
WECHAT_LIKE = WECHAT
ALL = (TELEGRAM_LIKE, WHATSAPP_LIKE, WECHAT_LIKE)
