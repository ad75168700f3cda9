"""The three capability sets the fitting tests render replies under: what Telegram, the
WhatsApp Cloud API and a WeChat service account show (sources in docs/decisions.md,
"Issue 14: fitting replies to a channel")."""

from __future__ import annotations

from bot.channels.telegram.app import CAPABILITIES as TELEGRAM
from bot.channels.whatsapp.capabilities import CAPABILITIES as WHATSAPP
from bot.core.capabilities import Capabilities, LengthUnit

# Telegram's and WhatsApp's are the channels' own declarations; WeChat comes in its issue.
TELEGRAM_LIKE = TELEGRAM
WHATSAPP_LIKE = WHATSAPP
WECHAT_LIKE = Capabilities(
    "wechat",
    length_unit=LengthUnit.utf8,
    text_limit=2048,
    text_limit_with_buttons=2048,
    caption_limit=0,
    max_buttons=0,
    button_label_limit=0,
    max_list_rows=0,
    edits=False,
    documents=False,
    images=True,
    persistent_menu=False,
    payload_limit=0,  # no payload leaves the server: numbered choices are stored
    replies_per_message=5,
    window_hours=48,
    replies_per_event=3,
    event_window_seconds=60,
)
ALL = (TELEGRAM_LIKE, WHATSAPP_LIKE, WECHAT_LIKE)
