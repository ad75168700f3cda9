"""The part of a lesson card that answers a question, and the length every answer is held to.

Without an LLM the answer is an excerpt of the best matching card, not the whole card: a trainee
reading on a phone should meet the useful line first, not as the fifth bullet.

- A card is cut into pieces: a bullet or numbered line is one piece; any other line is cut into
  sentences (Chinese ends them with 。！？；, Spanish and English with . ! ? before a capital).
- Each piece weighs the IDF of the question's search terms it contains, with the course index's
  own terms and weights (`CourseIndex.term_weights`, `tokenize`), so a piece is weighed the way
  the search weighs cards.
- The heaviest piece grows by its neighbours, the more relevant first, then the closer (the same
  line, then the next line, then the next paragraph): up to FOCUS_SHARE of the language's limit
  any neighbour, beyond that only neighbours weighing at least half the best piece, and never
  past the room given. A card shorter than that is returned whole.
- "…" marks text left out: after the excerpt, and before it when it starts inside a line. A piece
  too long on its own is cut at a space (in Chinese, after a comma), never inside a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.lessons.content import screen_limit
from bot.qa.text import tokenize

FOCUS_SHARE = 1 / 3  # an excerpt grows to this share of the limit before it must stay relevant
ELLIPSIS = "…"

_BULLET = re.compile(r"^(?:[-*•·]\s|\d{1,2}[.)、．]\s?)")
# A sentence end and the space after it: before a capital or digit (Spanish may open with ¿ ¡).
_LATIN_END = re.compile(r"[.!?…]+[\"”’»)]*(\s+)(?=[¿¡\"“«(‘']*[A-ZÁÉÍÓÚÜÑ0-9])")
_CHINESE_END = re.compile(r"[。！？；!?]+[”’」』）)]*(\s*)")
_CHINESE_COMMA = "，、：；,:;"
_TRAILING = " \t\n,;:，、：；-—"


@dataclass(frozen=True)
class Piece:
    """A sentence or a bullet of a card, with the text that separated it from the one before."""

    text: str
    gap: str  # "" first; " " or "" inside a line; "\n" the next line; "\n\n" the next paragraph


def answer_limit(language: str) -> int:
    """The most characters an answer in `language` ("zh", "es", "zh-CN"...) should have: one
    phone screen, the length lesson cards are held to (300 in Chinese, 450 otherwise)."""
    return screen_limit(language.split("-")[0].lower())


def focus_length(language: str) -> int:
    """How long an excerpt grows before only relevant neighbours are added."""
    return int(answer_limit(language) * FOCUS_SHARE)


def pieces(text: str, language: str) -> list[Piece]:
    """`text` as pieces in reading order; joining them with their gaps gives the text back
    (with blank lines squeezed to one and the ends of lines trimmed)."""
    out: list[Piece] = []
    gap = ""
    for line in text.strip().splitlines():
        line = line.strip()
        if not line:
            gap = "\n\n" if out else ""
            continue
        parts = [("", line)] if _BULLET.match(line) else _sentences(line, language)
        for number, (inner_gap, part) in enumerate(parts):
            out.append(Piece(part, gap if number == 0 else inner_gap))
        gap = "\n"
    return out


def _sentences(line: str, language: str) -> list[tuple[str, str]]:
    """The sentences of one line, each with the space before it."""
    ends = _CHINESE_END if language.startswith("zh") else _LATIN_END
    out: list[tuple[str, str]] = []
    start, gap = 0, ""
    for end in ends.finditer(line):
        if end.end() >= len(line):
            break
        out.append((gap, line[start : end.start(1)]))
        start, gap = end.end(1), end.group(1)
    out.append((gap, line[start:]))
    return [(gap, sentence) for gap, sentence in out if sentence]


def best_excerpt(card: str, weights: Mapping[str, float], language: str, room: int) -> str:
    """The part of `card` (in `language`) that best answers a question whose search terms weigh
    `weights` (term -> IDF), at most `room` characters; from the card's start when no piece
    contains a term. The whole card when it is short (see the module docstring)."""
    parts = pieces(card, language)
    if not parts:
        return ""
    scores = [_weight(part.text, weights, language) for part in parts]
    best = max(range(len(parts)), key=lambda number: (scores[number], -number))
    focus = min(room, focus_length(language))
    low, high = _grow(parts, scores, best, room, focus)
    return _cut(_render(parts, low, high), room, language)


def shorten(text: str, language: str, limit: int | None = None) -> str:
    """`text` whole when it has at most `limit` characters (by default the language's answer
    limit); else its first sentences that fit and "…", cut at a word when even the first one is
    too long."""
    limit = answer_limit(language) if limit is None else limit
    if len(text) <= limit:
        return text
    parts = pieces(text, language)
    if not parts:
        return ""
    high = 0
    while high + 1 < len(parts) and len(_render(parts, 0, high + 1)) <= limit:
        high += 1
    return _cut(_render(parts, 0, high), limit, language)


def _weight(text: str, weights: Mapping[str, float], language: str) -> float:
    found = set(tokenize(text, language))
    return sum(weight for term, weight in weights.items() if term in found)


def _closeness(gap: str) -> int:
    """How closely a gap binds two pieces: inside a line, then lines, then paragraphs."""
    return 0 if "\n\n" in gap else 1 if "\n" in gap else 2


def _grow(
    parts: Sequence[Piece], scores: Sequence[float], best: int, room: int, focus: int
) -> tuple[int, int]:
    """The first and last piece of the excerpt grown around `best` (see the module docstring)."""
    low = high = best
    relevant = scores[best] / 2
    while True:
        options: list[tuple[float, int, int, int]] = []  # weight, closeness, side, piece number
        if low > 0 and len(_render(parts, low - 1, high)) <= room:
            # Inside a line the sentence before comes first (it says what this one is about);
            # between lines and bullets, the one after (reading on).
            inside = _closeness(parts[low].gap) == 2
            options.append((scores[low - 1], _closeness(parts[low].gap), int(inside), low - 1))
        if high + 1 < len(parts) and len(_render(parts, low, high + 1)) <= room:
            gap = parts[high + 1].gap
            options.append((scores[high + 1], _closeness(gap), int(_closeness(gap) != 2), high + 1))
        if not options:
            return low, high
        weight, _, _, number = max(options)
        long_enough = len(_render(parts, low, high)) >= focus
        if long_enough and (weight <= 0 or weight < relevant):
            return low, high
        low, high = min(low, number), max(high, number)


def _render(parts: Sequence[Piece], low: int, high: int) -> str:
    """Pieces `low`..`high` as text, with "…" where the card goes on."""
    text = parts[low].text + "".join(part.gap + part.text for part in parts[low + 1 : high + 1])
    if low > 0 and "\n" not in parts[low].gap:  # starts inside a line
        text = ELLIPSIS + text
    if high + 1 < len(parts):
        after = parts[high + 1].gap
        text += ("\n" if "\n" in after else after) + ELLIPSIS
    return text


def _cut(text: str, room: int, language: str) -> str:
    """`text` in at most `room` characters: whole if it fits, else cut before a word and "…"."""
    if len(text) <= room:
        return text
    head = text[: max(room - len(ELLIPSIS), 0)]
    rest = text[len(head) :]
    if language.startswith("zh"):
        comma = max(head.rfind(mark) for mark in _CHINESE_COMMA)
        if comma >= len(head) // 2:
            head = head[:comma]
        elif rest[:1].isascii() and rest[:1].isalnum():  # inside a Latin word or a number
            head = re.sub(r"[A-Za-z0-9]+$", "", head)
    elif rest[:1] and not rest[:1].isspace():
        space = max(head.rfind(" "), head.rfind("\n"))
        if space > 0:
            head = head[:space]
    return head.rstrip(_TRAILING) + ELLIPSIS
