"""What a WhatsApp message can show (Meta's Cloud API limits), the channel's own declaration."""

from __future__ import annotations

from bot.core.capabilities import Capabilities, LengthUnit

CHANNEL = "whatsapp"

# Texts of 4,096 characters (1,024 in a message with buttons or a list, and in a caption); at
# most 3 reply buttons of 20 characters, else a list of 10 rows (titles 24, descriptions 72,
# row ids 200); no edits, no persistent keyboard; photos and documents by uploaded media id.
# Free-form messages only within 24 hours of the person's last message (then templates).
CAPABILITIES = Capabilities(
    CHANNEL,
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
