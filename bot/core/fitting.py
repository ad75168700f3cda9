"""Fitting a list of replies to what a channel can show (see `Capabilities`), without knowing
the channel.

Handlers make the same `Reply` objects for every channel; a channel calls `fit_replies` before
sending and gets back one `Reply` per message it must send, each within its limits:

- a text over the limit is split at a paragraph, else a line, else a sentence or a word, else
  between two characters (never inside an emoji); consecutive plain texts are merged into as
  few messages as the limit allows;
- buttons stay buttons while the channel shows that many with labels that long; a few too long
  for a button on a channel with lists stay buttons too, numbered in the text and labelled
  "1", "2", "3" (one alone: cut, the full wording in the text); else they become a list (the
  full label in the row's description when its title had to be cut); else,
  on a channel with buttons but no lists, shortened buttons with the full labels in the text;
  else numbered choices written into the text ("1 Next lesson"), numbered across the batch;
- a persistent menu where there is none offers its items as choices when no reply of the batch
  offers any (a tap reads as the label typed: see `incoming_for_choice`), else it is dropped;
- an edit becomes a new message where edits are not possible, or when the reply became several
  messages;
- a document or photo the channel cannot send becomes a line saying where to get it; a document
  on a channel that sends documents as links (`documents_as_links`) stays, in a message of its
  own after the reply's text (the channel writes the link);
- a text too long for a caption goes in its own message after the file;
- with a message budget, the first messages and the last one carrying choices are kept;
  `spend` splits what may go now from what waits for the person's next message (see
  bot.core.ledger for how much is left).

Where choices come back as typed text (WeChat; a WhatsApp number typed instead of tapped), the
choices a fitted batch offers are remembered and a person's text read back: bot.core.choices.

The words the fitting adds (the label that opens a list, the line before numbered choices, the
line in place of a file) are the caller's: see `Wording`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import count

from bot.core.capabilities import Capabilities, LengthUnit
from bot.core.messages import (
    Attachment,
    Button,
    ChoiceList,
    Incoming,
    ListRow,
    NumberedChoice,
    Reply,
    Sender,
)

# A menu item offered as a button where there is no persistent menu: a tap on it means its
# label typed, as on a channel with the menu (see `incoming_for_choice`).
MENU_PREFIX = "say:"
ELLIPSIS = "…"
PARAGRAPH = "\n\n"
# Characters that belong to the one before them: never cut in front of them.
_JOINERS = frozenset("\u200d\ufe0e\ufe0f\u20e3")
_SENTENCE_END = re.compile(r"[。！？；]|[.!?…](?=\s)")
_CLAUSE_END = re.compile(r"[，、：,;:]")


@dataclass(frozen=True)
class Wording:
    """The words fitting adds, in the person's language (see `from_catalog`). `file_elsewhere`
    may name the file with `{filename}`."""

    list_opener: str = "☰"
    number_hint: str = ""
    file_elsewhere: str = "📎 {filename}"
    # The last line when the message budget is spent and more waits (see `spend`).
    more_waiting: str = "…"

    @classmethod
    def from_catalog(cls, t: Callable[[str], str]) -> Wording:
        """The wording from a catalog lookup such as `bot.i18n.Translator(language)`."""
        return cls(
            list_opener=t("fit.list_opener"),
            number_hint=t("fit.number_hint"),
            file_elsewhere=t("fit.file_elsewhere"),
            more_waiting=t("fit.reply_to_continue"),
        )


DEFAULT_WORDING = Wording()


def fit_replies(
    replies: Sequence[Reply], capabilities: Capabilities, *, wording: Wording = DEFAULT_WORDING
) -> list[Reply]:
    """The messages to send for `replies` on a channel with these capabilities, one `Reply`
    each, in order. Pure: the same input gives the same messages."""
    numbers = count(1)  # numbered choices are numbered across the whole batch
    # Where there is no persistent menu, its items are offered only when nothing else is.
    offers_menu = not any(reply.buttons for reply in replies)
    messages: list[Reply] = []
    for reply in replies:
        messages.extend(_fit_one(reply, capabilities, wording, numbers, offers_menu))
    return _within_budget(_merged(messages, capabilities), capabilities)


def incoming_for_choice(sender: Sender, payload: str, *, message_ref: str = "") -> Incoming:
    """What a tap on a button, list row or numbered choice made by `fit_replies` means: a menu
    item reads as its label typed, anything else as the button's payload."""
    if payload.startswith(MENU_PREFIX):
        return Incoming.from_text(sender, payload[len(MENU_PREFIX) :], message_ref=message_ref)
    return Incoming.button(sender, payload, message_ref=message_ref)


def choice_for_number(numbered: Sequence[NumberedChoice], text: str) -> str | None:
    """The payload of the numbered choice a person typed the number of ("2", " 2 "); None when
    `text` is not one of the numbers."""
    typed = text.strip()
    if not typed.isascii() or not typed.isdigit():
        return None
    for choice in numbered:
        if str(choice.number) == typed.lstrip("0"):
            return choice.payload
    return None


def spend(
    messages: Sequence[Reply], left: int | None, caps: Capabilities, wording: Wording
) -> tuple[list[Reply], list[Reply]]:
    """`messages` split into those that may go now, with `left` messages left in the person's
    budget (None: no budget), and those that must wait for their next message. When some wait,
    the last one sent now ends with `wording.more_waiting` ("reply with anything to go on"):
    added to its text when it fits, else it takes the last place itself."""
    if left is None or len(messages) <= left:
        return list(messages), []
    if left <= 0:
        return [], list(messages)
    line = wording.more_waiting
    last = messages[left - 1]
    text = _joined(last.text, line)
    limit = caps.text_limit_with_buttons if _offers_choices(last) else caps.text_limit
    if last.image is not None or last.document is not None:
        limit = min(limit, caps.caption_limit)
    if last.text and caps.fits(text, limit):
        return [*messages[: left - 1], replace(last, text=text)], list(messages[left:])
    notice = Reply(line, purpose=last.purpose)
    return [*messages[: left - 1], notice], list(messages[left - 1 :])


def split_text(text: str, limit: int, unit: LengthUnit = LengthUnit.characters) -> list[str]:
    """`text` in pieces of at most `limit` (in `unit`), cut at a paragraph break in the second
    half of a piece, else at the last line break, sentence end, space or comma, else between
    two characters that do not belong together; no piece is empty."""
    pieces: list[str] = []
    rest = text.strip()
    while rest and not unit.fits(rest, limit):
        end = max(_fitting_end(rest, limit, unit), 1)
        cut = _cut_at(rest, end)
        piece = rest[:cut].rstrip()
        if piece:
            pieces.append(piece)
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def shorten(label: str, limit: int, unit: LengthUnit = LengthUnit.characters) -> str:
    """`label` when it fits `limit`; else its beginning cut after a whole word where one is
    long enough to read (between characters in Chinese), ending in "…"."""
    if unit.fits(label, limit):
        return label
    end = _fitting_end(label, max(limit - unit.measure(ELLIPSIS), 1), unit)
    head = label[: _safe_cut(label, end)]
    if end < len(label) and not label[end].isspace():
        space = head.rfind(" ")
        if space >= len(head) // 2:
            head = head[:space]
    return head.rstrip(" ,.;:·-—") + ELLIPSIS


def _fits_as_it_is(reply: Reply, caps: Capabilities) -> bool:
    """Whether the channel can send `reply` unchanged as one message (the usual case on a
    channel such as Telegram): the fast way through."""
    buttons = [b for row in reply.buttons for b in row]
    if reply.image is not None and reply.document is not None:
        return False
    attachment = reply.image or reply.document
    if attachment is not None:
        limit = min(
            caps.caption_limit, caps.text_limit_with_buttons if buttons else caps.text_limit
        )
    else:
        limit = caps.text_limit_with_buttons if buttons else caps.text_limit
    return (
        (bool(reply.text.strip()) or attachment is not None)
        and reply.text == reply.text.strip()
        and caps.fits(reply.text, limit)
        and (caps.edits or not reply.edit)
        and (caps.persistent_menu or reply.menu is None)
        and (caps.images or reply.image is None)
        and (caps.documents or reply.document is None)
        and reply.choice_list is None
        and not reply.numbered
        and len(buttons) <= caps.max_buttons
        and all(caps.fits(b.label, caps.button_label_limit) for b in buttons)
    )


def _fit_one(
    reply: Reply, caps: Capabilities, wording: Wording, numbers: Iterator[int], offers_menu: bool
) -> list[Reply]:
    if _fits_as_it_is(reply, caps):
        return [reply]
    text = reply.text.strip()
    buttons = reply.buttons
    menu = reply.menu if caps.persistent_menu else None
    if reply.menu and not caps.persistent_menu and offers_menu:
        buttons = tuple(
            tuple(Button(label, MENU_PREFIX + label) for label in row) for row in reply.menu
        )
    files: list[tuple[str, Attachment]] = []
    linked: Reply | None = None  # a document the channel sends as a link, after the rest
    for kind, attachment, shown in (
        ("image", reply.image, caps.images),
        ("document", reply.document, caps.documents),
    ):
        if attachment is None:
            continue
        if shown:
            files.append((kind, attachment))
        elif kind == "document" and caps.documents_as_links:
            linked = Reply(document=attachment, purpose=reply.purpose)
        else:
            line = wording.file_elsewhere.replace("{filename}", attachment.filename)
            text = _joined(text, line)
    text, offer = _choices(text, buttons, reply, caps, wording, numbers)
    if not text and not files and not _offers_choices(offer) and menu is None:
        return [linked] if linked else []
    after = [linked] if linked else []
    with_buttons = bool(offer.buttons or offer.choice_list)
    offer = replace(offer, menu=menu, purpose=reply.purpose)
    messages: list[Reply] = []
    for index, (kind, attachment) in enumerate(files):
        image, document = (attachment, None) if kind == "image" else (None, attachment)
        caption_limit = caps.caption_limit
        if with_buttons:
            caption_limit = min(caption_limit, caps.text_limit_with_buttons)
        if (
            index == len(files) - 1
            and offer.choice_list is None  # a list message has no room for a file
            and (not text or (caps.caption_limit and caps.fits(text, caption_limit)))
        ):
            messages.append(replace(offer, text=text, image=image, document=document))
            return [*messages, *after]
        messages.append(Reply(image=image, document=document, purpose=reply.purpose))
    pieces = split_text(text, caps.text_limit, caps.length_unit)
    last_limit = caps.text_limit_with_buttons if with_buttons else caps.text_limit
    if pieces and not caps.fits(pieces[-1], last_limit):
        pieces[-1:] = split_text(pieces[-1], last_limit, caps.length_unit)
    messages.extend(Reply(piece, purpose=reply.purpose) for piece in pieces[:-1])
    messages.append(replace(offer, text=pieces[-1] if pieces else ""))
    if reply.edit and caps.edits and len(messages) == 1:
        messages[0] = replace(messages[0], edit=True)
    return [*messages, *after]


def _choices(
    text: str,
    buttons: tuple[tuple[Button, ...], ...],
    fitted: Reply,
    caps: Capabilities,
    wording: Wording,
    numbers: Iterator[int],
) -> tuple[str, Reply]:
    """The text, and a Reply holding only the way `buttons` are offered on this channel (the
    list or numbered choices of a reply `fitted` already when it has no buttons)."""
    flat = [button for row in buttons for button in row]
    if not flat:
        return text, Reply(choice_list=fitted.choice_list, numbered=fitted.numbered)
    labels = [button.label for button in flat]

    def all_fit(limit: int) -> bool:
        return all(caps.fits(label, limit) for label in labels)

    unit = caps.length_unit
    if len(flat) <= caps.max_buttons and all_fit(caps.button_label_limit):
        return text, Reply(buttons=buttons)
    if len(flat) <= caps.max_buttons and caps.max_list_rows > 0:
        return _as_buttons(text, buttons, caps)
    if len(flat) <= caps.max_list_rows and all_fit(caps.list_description_limit):
        rows = []
        for button in flat:
            title = shorten(button.label, caps.list_title_limit, unit)
            rows.append(
                ListRow(title, button.payload, button.label if title != button.label else "")
            )
        opener = shorten(wording.list_opener, caps.button_label_limit, unit)
        return text, Reply(choice_list=ChoiceList(opener, tuple(rows)))
    if len(flat) <= caps.max_buttons and caps.max_list_rows == 0:
        limit = caps.button_label_limit
        shortened = tuple(
            tuple(replace(b, label=shorten(b.label, limit, unit)) for b in row) for row in buttons
        )
        full = [label for label in labels if not caps.fits(label, limit)]
        return _joined(text, "\n".join(full)), Reply(buttons=shortened)
    numbered = tuple(NumberedChoice(next(numbers), b.label, b.payload) for b in flat)
    lines = [f"{choice.number} {choice.label}" for choice in numbered]
    if wording.number_hint and numbered[0].number == 1:  # once a batch
        lines.insert(0, wording.number_hint)
    return _joined(text, "\n".join(lines)), Reply(numbered=numbered)


def _as_buttons(
    text: str, buttons: tuple[tuple[Button, ...], ...], caps: Capabilities
) -> tuple[str, Reply]:
    """A few choices whose labels are too long for a button, still as buttons (one tap, where a
    list takes two): one choice keeps its label cut at a word, the full wording in the text;
    several are numbered in the text and their buttons are the numbers ("1", "2", "3")."""
    flat = [button for row in buttons for button in row]
    if len(flat) == 1:
        (button,) = flat
        label = shorten(button.label, caps.button_label_limit, caps.length_unit)
        return _joined(text, button.label), Reply(buttons=((replace(button, label=label),),))
    lines = [f"{number} {button.label}" for number, button in enumerate(flat, 1)]
    numbered = tuple((Button(str(number), b.payload),) for number, b in enumerate(flat, 1))
    return _joined(text, "\n".join(lines)), Reply(buttons=numbered)


def _joined(text: str, more: str) -> str:
    return f"{text}{PARAGRAPH}{more}" if text else more


def _plain(message: Reply) -> bool:
    """Only text (numbered choices are text too): it can be merged into the message after it."""
    bare = Reply(message.text, numbered=message.numbered, purpose=message.purpose)
    return bool(message.text) and message == bare


def _merged(messages: list[Reply], caps: Capabilities) -> list[Reply]:
    """Each plain text merged into the text message after it while the two fit one message."""
    merged: list[Reply] = []
    for message in messages:
        before = merged[-1] if merged else None
        if (
            before is not None
            and _plain(before)
            and before.purpose == message.purpose
            and message.image is None
            and message.document is None
            and not message.edit
        ):
            with_buttons = bool(message.buttons or message.choice_list)
            limit = caps.text_limit_with_buttons if with_buttons else caps.text_limit
            text = _joined(before.text, message.text) if message.text else before.text
            if caps.fits(text, limit):
                numbered = before.numbered + message.numbered
                merged[-1] = replace(message, text=text, numbered=numbered)
                continue
        merged.append(message)
    return merged


def _offers_choices(message: Reply) -> bool:
    return bool(message.buttons or message.choice_list or message.numbered)


def _within_budget(messages: list[Reply], caps: Capabilities) -> list[Reply]:
    """At most `replies_per_message` messages: the first ones, and always the last message
    that offers choices (else the last message), so the person can go on."""
    budget = caps.replies_per_message
    if budget is None or len(messages) <= budget:
        return messages
    offering = [i for i, message in enumerate(messages) if _offers_choices(message)]
    keep = offering[-1] if offering else len(messages) - 1
    chosen = [i for i in range(len(messages)) if i != keep][: max(budget - 1, 0)]
    return [messages[i] for i in sorted([*chosen, keep])]


def _fitting_end(text: str, limit: int, unit: LengthUnit) -> int:
    """The length of the longest beginning of `text` that fits `limit`."""
    if unit is LengthUnit.characters:
        return min(len(text), limit)
    total = 0
    for index, char in enumerate(text):
        total += unit.cost(char)
        if total > limit:
            return index
    return len(text)


def _cut_at(text: str, end: int) -> int:
    """Where to cut `text`, whose first `end` characters fit a message (end < len(text))."""
    window = text[:end]
    paragraph = window.rfind(PARAGRAPH)
    if paragraph >= end // 2:
        return paragraph
    line = window.rfind("\n")
    if line > 0:
        return line
    if text[end].isspace():
        return end
    sentences = [m.end() for m in _SENTENCE_END.finditer(text, 0, end + 1) if m.end() <= end]
    if sentences and sentences[-1] >= end // 2:
        return sentences[-1]
    space = window.rfind(" ")
    if space > 0:
        return space
    clauses = [m.end() for m in _CLAUSE_END.finditer(window)]
    if sentences or clauses:
        return max([*sentences, *clauses])
    return _safe_cut(text, end)


def _belongs_to_previous(char: str) -> bool:
    code = ord(char)
    return (
        char in _JOINERS
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
        or unicodedata.combining(char) != 0
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _safe_cut(text: str, cut: int) -> int:
    """`cut` moved back so that no emoji sequence, flag or accent is cut apart (never to 0)."""
    while 1 < cut < len(text) and (_belongs_to_previous(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    if 1 < cut < len(text) and _regional(text[cut]) and _regional(text[cut - 1]):
        run = 0
        while cut - run - 1 >= 0 and _regional(text[cut - run - 1]):
            run += 1
        if run % 2:  # the first half of a flag is before the cut
            cut -= 1
    return max(cut, 1)
