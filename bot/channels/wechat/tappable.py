"""Choices made tappable on WeChat: a fitted Reply's numbered lines ("1 下一张", written by
bot.core.fitting and kept by the pipeline) as `weixin://bizmsgmenu` links inside the text, or
as a menu message (`msgmenu`), as the account's WECHAT_CHOICES says.

The number stays in front of every line in every style, so typing "1" always works (the kept
choices are the same whatever is shown). A link's id and a menu item's id are the choice's
number; a tap comes back as a text of the link's content (the label; a menu item's "1 下一张")
with that id as `bizmsgmenuid`, which bot.core.choices.typed_choice maps back to the payload.

What cannot be shown as asked falls back, never fails: a menu message only for 1 to 10 choices
written as one block of lines (else links); links only while the text with them stays within
WeChat's 2,048 bytes (else the plain numbered text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from html import escape
from urllib.parse import quote

from bot.channels.wechat.capabilities import CAPABILITIES
from bot.core.messages import NumberedChoice

MENU_ITEMS = 10  # a msgmenu's list
TEXT_BYTES = CAPABILITIES.text_limit


class ChoiceStyle(StrEnum):
    """How a message offers its choices (the WECHAT_CHOICES setting)."""

    links = "links"  # tappable lines in the text: every account
    menu = "menu"  # a menu message: verified accounts
    numbers = "numbers"  # numbered lines only


@dataclass(frozen=True)
class TextMessage:
    content: str


@dataclass(frozen=True)
class MenuMessage:
    """A msgmenu: `head`, one tappable line per (id, content) item, `tail`."""

    head: str
    items: tuple[tuple[str, str], ...]
    tail: str = ""


def shaped(
    text: str, numbered: Sequence[NumberedChoice], style: ChoiceStyle
) -> TextMessage | MenuMessage:
    """The message to send for a fitted text and the numbered choices written in it."""
    if style is ChoiceStyle.menu:
        menu = as_menu(text, numbered)
        if menu is not None:
            return menu
    if style is not ChoiceStyle.numbers and numbered:
        linked = with_links(text, numbered)
        if len(linked.encode()) <= TEXT_BYTES:
            return TextMessage(linked)
    return TextMessage(text)


def link(choice: NumberedChoice) -> str:
    """The choice's label as a tappable link that sends the label, with its number as id."""
    content = quote(choice.label, safe="")
    href = f"weixin://bizmsgmenu?msgmenucontent={content}&msgmenuid={choice.number}"
    return f'<a href="{href}">{escape(choice.label, quote=False)}</a>'


def with_links(text: str, numbered: Sequence[NumberedChoice]) -> str:
    """`text` with each of its choice lines ("1 下一张") as "1 " and the label as a link."""
    by_line = {_line(choice): choice for choice in numbered}
    lines = []
    for line in text.split("\n"):
        choice = by_line.get(line)
        lines.append(f"{choice.number} {link(choice)}" if choice is not None else line)
    return "\n".join(lines)


def as_menu(text: str, numbered: Sequence[NumberedChoice]) -> MenuMessage | None:
    """`text` as a menu message: the lines before its choices as the head, each choice an item
    ("1 下一张", id "1"), the lines after as the tail; None when the choices are not one block
    of 1 to 10 lines in `text`, or the whole is over WeChat's 2,048 bytes."""
    if not 0 < len(numbered) <= MENU_ITEMS:
        return None
    lines = text.split("\n")
    block = [_line(choice) for choice in numbered]
    starts = [i for i in range(len(lines)) if lines[i : i + len(block)] == block]
    if len(starts) != 1:
        return None
    start = starts[0]
    head = "\n".join(lines[:start]).strip()
    tail = "\n".join(lines[start + len(block) :]).strip()
    items = tuple((str(choice.number), _line(choice)) for choice in numbered)
    size = len((head + tail + "".join(content for _, content in items)).encode())
    if size > TEXT_BYTES:
        return None
    return MenuMessage(head, items, tail)


def _line(choice: NumberedChoice) -> str:
    """How bot.core.fitting writes a numbered choice into the text."""
    return f"{choice.number} {choice.label}"
