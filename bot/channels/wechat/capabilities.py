"""What a WeChat service account's customer-service messages can show, the channel's own
declaration (sources in docs/decisions.md, "Issue 14: fitting replies to a channel")."""

from __future__ import annotations

from dataclasses import replace

from bot.core.capabilities import Capabilities, LengthUnit

CHANNEL = "wechat"

# Texts of 2,048 bytes (UTF-8: about 680 Chinese characters); no buttons, no edits, no
# documents (the fitting turns them into words); images by uploaded media id. No payload leaves
# the server: choices are numbered in the text and kept (bot.db.choices). After a message from
# the person, at most 5 messages in 48 hours; after a menu click, a follow or a QR scan, 3 in
# one minute (bot.core.ledger).
CAPABILITIES = Capabilities(
    CHANNEL,
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
    payload_limit=0,
    replies_per_message=5,
    window_hours=48,
    replies_per_event=3,
    event_window_seconds=60,
)


def capabilities_for(public_url: str) -> Capabilities:
    """The channel's capabilities on this server: with a PUBLIC_URL a document goes as a
    download link on it (bot/web/files.py, sent by bot.channels.wechat.send); without one the
    fitting writes a line in its place."""
    return replace(CAPABILITIES, documents_as_links=bool(public_url))
