"""The three capability sets the fitting tests render replies under: what Telegram, the
WhatsApp Cloud API and a WeChat service account show (sources in docs/decisions.md,
"Issue 14: fitting replies to a channel")."""

from __future__ import annotations

from bot.channels.telegram.app import CAPABILITIES as TELEGRAM
from bot.core.capabilities import Capabilities, LengthUnit

# Telegram's is the channel's own declaration; the other two channels come in their issues.
TELEGRAM_LIKE = TELEGRAM
WHATSAPP_LIKE = Capabilities(
    "whatsapp",
    length_unit=LengthUnit.characters,
    text_limit=4096,
    text_limit_with_buttons=1024,
    caption_limit=1024,
    max_buttons=3,
    button_label_limit=20,
    max_list_rows=10,
    list_title_limit=24,
    list_description_limit=72,
    edits=False,
    documents=True,
    images=True,
    persistent_menu=False,
    payload_limit=200,  # a list row's id; a reply button's may be 256
    window_hours=24,
)
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
)
ALL = (TELEGRAM_LIKE, WHATSAPP_LIKE, WECHAT_LIKE)
