"""Choices a person answers by typing: which choices a batch fitted by bot.core.fitting offers
(`offered_choices`), and which of them a typed text names (`typed_choice`). Pure; the pipeline
keeps the set (bot.db.choices)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.core.messages import NumberedChoice, Reply

# "2", "2.", "2、", "回复2", "#2", "reply 2", "opción 2" (after NFKC: "２" is "2").
_TYPED_NUMBER = re.compile(
    r"(?:回复|回|选择|选|第|reply|answer|option|opción|opcion|responde|respuesta)?\s*[#№]?\s*"
    r"([0-9]{1,4})\s*(?:个|项|号)?\s*[.。、,，)）:：]?",
    re.IGNORECASE,
)


def typed_choice(
    choices: Sequence[NumberedChoice], text: str, *, tap_id: str | None = None
) -> str | None:
    """The payload of the choice a person means by typing `text`: its number ("2", "２", "2.",
    "回复2", "2 下一张"), or its label, in any width and case; None when `text` names none of
    `choices`.

    `tap_id` (not None) says `text` came from tapping a choice (a `weixin://bizmsgmenu` link or
    a menu message's item: the text is the item's, the id the choice's number). Then the id
    decides when it names a choice whose label (or "number label") is that text: numbers start
    again at 1 with every set, so an id alone could name a newer set's choice under an old link,
    and WeChat sometimes returns "0". Else the label, exactly, then compared as typed; then a
    number, as typed."""
    if not choices or len(text) > 300:
        return None
    if tap_id is not None:
        tapped = _tapped(choices, text, tap_id)
        if tapped is not None:
            return tapped
    typed = _comparable(text)
    if not typed:
        return None
    by_number = {choice.number: choice for choice in choices}
    number = _TYPED_NUMBER.fullmatch(typed)
    if number is not None:
        found = by_number.get(int(number.group(1)))
        return found.payload if found is not None else None
    head, _, rest = typed.partition(" ")
    if head.isascii() and head.isdigit() and int(head) in by_number:
        found = by_number[int(head)]
        if _comparable(found.label) == rest.strip():  # "2 下一张": the whole line
            return found.payload
    for choice in choices:
        if _comparable(choice.label) == typed:
            return choice.payload
    return None


def _tapped(choices: Sequence[NumberedChoice], text: str, tap_id: str) -> str | None:
    """A tap's choice: by its id where the id's choice reads as `text`, else by the label
    exactly, else by the label compared as typed (see `typed_choice`)."""
    typed = _comparable(text)
    given = tap_id.strip()
    if given.isascii() and given.isdigit():
        for choice in choices:
            if choice.number == int(given) and typed in (
                _comparable(choice.label),
                _comparable(f"{choice.number} {choice.label}"),
            ):
                return choice.payload
    for choice in choices:
        if choice.label == text:
            return choice.payload
    for choice in choices:
        if _comparable(choice.label) == typed:
            return choice.payload
    return None


def offered_choices(messages: Sequence[Reply]) -> tuple[NumberedChoice, ...]:
    """The choices a person can answer by typing a number after `messages` were sent: the
    numbered choices, and buttons `fit_replies` labelled with their number ("1" "2" "3", the
    wording numbered in the text). A number offered twice means the later one (the one read
    last); in number order."""
    offered: dict[int, NumberedChoice] = {}
    for message in messages:
        for choice in message.numbered:
            offered[choice.number] = choice
        flat = [button for row in message.buttons for button in row]
        if len(flat) > 1 and all(b.label == str(n) for n, b in enumerate(flat, 1)):
            lines = {
                head: rest
                for head, _, rest in (line.partition(" ") for line in message.text.splitlines())
            }
            for number, button in enumerate(flat, 1):
                label = lines.get(button.label, button.label)
                offered[number] = NumberedChoice(number, label, button.payload)
    return tuple(offered[number] for number in sorted(offered))


def _comparable(text: str) -> str:
    """`text` as typed text is compared: compatibility forms folded ("２" is "2"), case
    ignored, runs of spaces one space, no spaces around."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
