"""What a channel can show a person: each channel declares one `Capabilities`, and
`bot.core.fitting` fits every reply to it before the channel sends it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LengthUnit(StrEnum):
    """How a channel counts the length of a text."""

    characters = "characters"  # Unicode code points (WhatsApp)
    utf16 = "utf16"  # UTF-16 code units: an emoji counts 2 (Telegram)
    utf8 = "utf8"  # bytes of UTF-8: a Chinese character counts 3 (WeChat)

    def measure(self, text: str) -> int:
        """The length of `text` in this unit."""
        if self is LengthUnit.utf8:
            return len(text.encode("utf-8"))
        if self is LengthUnit.utf16:
            return len(text.encode("utf-16-le")) // 2
        return len(text)

    def fits(self, text: str, limit: int) -> bool:
        """Whether `text` is at most `limit` long in this unit (without encoding it when its
        number of characters alone decides)."""
        if len(text) > limit:
            return False  # no character counts less than 1
        widest = {LengthUnit.utf8: 4, LengthUnit.utf16: 2}.get(self, 1)
        return len(text) * widest <= limit or self.measure(text) <= limit

    def cost(self, char: str) -> int:
        """The length of one character in this unit."""
        code = ord(char)
        if self is LengthUnit.utf8:
            return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
        if self is LengthUnit.utf16:
            return 2 if code >= 0x10000 else 1
        return 1


@dataclass(frozen=True)
class Capabilities:
    """The limits of one channel's messages. The defaults are a channel with no limits."""

    name: str
    # The unit every length below is counted in (texts, captions, labels, titles).
    length_unit: LengthUnit = LengthUnit.characters
    # Longest text of one message, and of one message that carries buttons or a list.
    text_limit: int = 4096
    text_limit_with_buttons: int = 4096
    # Longest text sent with a photo or a file; 0: files carry no text (WeChat).
    caption_limit: int = 1024
    # Buttons under a message: how many at most (0: none at all), the longest label.
    max_buttons: int = 100
    button_label_limit: int = 64
    # A list of choices opened from one button (WhatsApp's list message): rows, title and
    # description lengths; 0 rows: no such thing.
    max_list_rows: int = 0
    list_title_limit: int = 24
    list_description_limit: int = 72
    edits: bool = True  # a message already sent can be replaced
    documents: bool = True  # files such as a spreadsheet
    # Where `documents` is False: the channel sends a document as a download link of its own,
    # in a message of its own (the fitting keeps it, alone); else the fitting writes a line
    # in place of the file.
    documents_as_links: bool = False
    images: bool = True
    persistent_menu: bool = True  # a keyboard that stays at the bottom of the screen
    # The longest button payload in bytes (Telegram's callback data: 64).
    payload_limit: int = 64
    # Messages the bot may send a person after each message they send, and how long that
    # window stays open (WeChat: 5 in 48 h); None: no such budget.
    replies_per_message: int | None = None
    window_hours: int | None = None
    # Messages allowed after an event rather than a message (WeChat: 3 in the minute after a
    # menu click, a follow or a QR scan); None: events open the same budget as messages.
    replies_per_event: int | None = None
    event_window_seconds: int = 60

    def measure(self, text: str) -> int:
        """The length of `text` as this channel counts it."""
        return self.length_unit.measure(text)

    def fits(self, text: str, limit: int) -> bool:
        """Whether `text` is at most `limit` long as this channel counts it."""
        return self.length_unit.fits(text, limit)
