"""What a typed message is before it is a question for the course: small talk (hello, thanks,
goodbye, ok), a question about the class itself (when is the next lesson, who is my lecturer,
which class am I in), or a personal matter (a phone number, "call me", "I am sick", "my payment")
that only the lecturer should read.

The words and patterns are data, one file per language (intents.zh.txt, intents.es.txt,
intents.en.txt, next to synonyms.txt); this module only folds text the way older people type it
(no accents, no punctuation, "graciasss", "holaaa") and applies them. Precision comes first: a
message is small talk only when every word of it is a small-talk word, so "hola, ¿cómo empaco
duraznos? gracias" stays a course question; a class pattern is dropped when the message also
asks what is best ("¿cuándo es mejor hacer un live?" is a course question).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources

_CJK = re.compile(r"[\u3400-\u9fff]")
_RUN = re.compile(r"(.)\1{2,}")  # three or more of the same letter: "holaaa"
_SQUEEZE = re.compile(r"(.)\1+")
# Seven digits or more, maybe split by spaces, dashes, dots or brackets: a phone number.
_PHONE = re.compile(r"(?<![\d])\+?\d(?:[ \-.()]{0,2}\d){6,}(?![\d])")
_DATE = re.compile(r"^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}$")
_CLAUSE = re.compile(r"(?<=[,.!?;:，。！？；：、…~～])\s*|\s*[¡¿]")  # after its mark, before ¿
_LONGEST_PHRASE = 4  # words in the longest small-talk phrase of es and en


class Intent(StrEnum):
    """What a message is about, when it is not (only) a course question."""

    hello = "hello"
    thanks = "thanks"
    bye = "bye"
    ok = "ok"
    next_class = "next_class"
    lecturer = "lecturer"
    my_class = "my_class"
    personal = "personal"


SMALL_TALK = frozenset({Intent.hello, Intent.thanks, Intent.bye, Intent.ok})
ABOUT_THE_CLASS = frozenset({Intent.next_class, Intent.lecturer, Intent.my_class})
# When a message holds several small-talk words, the one it is answered as ("hola, gracias").
_SMALL_TALK_ORDER = (Intent.thanks, Intent.bye, Intent.hello, Intent.ok)
_PATTERN_KINDS = ("laugh", "next_class", "lecturer", "my_class", "not_class", "personal")


@dataclass(frozen=True)
class _Rules:
    """One language's data file, read."""

    words: dict[str, Intent | None]  # squeezed word or phrase -> its small-talk kind (None: filler)
    patterns: dict[str, re.Pattern[str]]


def _squeeze(text: str) -> str:
    """Every run of one letter as one letter: "thx", "thxx" and "graciass" meet their word."""
    return _SQUEEZE.sub(r"\1", text)


def fold(text: str) -> str:
    """Lower case, no accents, no punctuation or emoji, no long letter runs, single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = "".join(
        ch for ch in unicodedata.normalize("NFD", folded) if not unicodedata.combining(ch)
    )
    folded = "".join(ch if ch.isalnum() or ch == "'" else " " for ch in folded)
    return _RUN.sub(r"\1", " ".join(folded.split()))


@lru_cache(maxsize=4)
def _rules(language: str) -> _Rules:
    name = f"intents.{language}.txt"
    source = resources.files("bot.qa").joinpath(name).read_text(encoding="utf-8")
    words: dict[str, Intent | None] = {}
    patterns: dict[str, re.Pattern[str]] = {}
    for line in source.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, value = line.partition(":")
        kind, value = kind.strip(), value.strip()
        if kind in _PATTERN_KINDS:
            patterns[kind] = re.compile(value)
            continue
        intent = None if kind == "filler" else Intent(kind)
        for word in value.split(","):
            key = fold(word).replace(" ", "") if language == "zh" else _squeeze(fold(word))
            if key:
                words.setdefault(key, intent)
    return _Rules(words, patterns)


def read_intent(text: str) -> Intent | None:
    """What `text` is about when it is not a course question; None for a course question.

    Chinese text is read with the Chinese data, any other with the Spanish and English data
    together (people mix "ok" and "bye" into Spanish).
    """
    languages = ("zh",) if _CJK.search(text) else ("es", "en")
    folded = fold(text)
    if languages == ("zh",):
        folded = folded.replace(" ", "")  # "上课，什么时候" reads as one clause
    if _has_phone_number(text) or any(_says(lang, "personal", folded) for lang in languages):
        return Intent.personal
    if not any(_says(lang, "not_class", folded) for lang in languages):
        for intent in (Intent.next_class, Intent.lecturer, Intent.my_class):
            if any(_says(lang, intent.value, folded) for lang in languages):
                return intent
    if not folded:  # only emoji or punctuation: a nod
        return Intent.ok if text.strip() else None
    if languages == ("zh",):
        return _small_talk_zh(folded)
    return _small_talk_words(folded.split(), languages)


def without_small_talk(text: str) -> str:
    """`text` without the greeting before it and the thanks after it, where punctuation sets
    them apart ("Hola, ¿cómo empaco duraznos? Gracias" -> "¿cómo empaco duraznos?"): they are
    not what the question is about. `text` itself when nothing else would be left."""
    pieces = [piece for piece in _CLAUSE.split(text) if piece.strip()]
    while pieces and _is_small_talk(pieces[0]):
        pieces.pop(0)
    while pieces and _is_small_talk(pieces[-1]):
        pieces.pop()
    return " ".join(piece.strip() for piece in pieces) or text


def _is_small_talk(piece: str) -> bool:
    folded = fold(piece)
    if not folded:
        return True  # punctuation or emoji between the words
    if _CJK.search(piece):
        return _small_talk_zh(folded.replace(" ", "")) is not None
    return _small_talk_words(folded.split(), ("es", "en")) is not None


def _has_phone_number(text: str) -> bool:
    found = _PHONE.finditer(unicodedata.normalize("NFKC", text))
    return any(not _DATE.match(match.group().strip()) for match in found)


def _says(language: str, kind: str, folded: str) -> bool:
    pattern = _rules(language).patterns.get(kind)
    return pattern is not None and pattern.search(folded) is not None


def _kind(found: list[Intent | None]) -> Intent:
    return next((kind for kind in _SMALL_TALK_ORDER if kind in found), Intent.ok)


def _small_talk_words(words: list[str], languages: tuple[str, ...]) -> Intent | None:
    """The small-talk kind when every word is a small-talk word or phrase, else None."""
    known: dict[str, Intent | None] = {}
    for language in languages:
        for key, value in _rules(language).words.items():
            known.setdefault(key, value)
    laughs = [_rules(lang).patterns.get("laugh") for lang in languages]
    found: list[Intent | None] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST_PHRASE, len(words) - i), 0, -1):
            key = _squeeze(" ".join(words[i : i + size]))
            if key in known:
                found.append(known[key])
                i += size
                break
        else:
            if not any(laugh and laugh.fullmatch(words[i]) for laugh in laughs):
                return None
            found.append(Intent.ok)
            i += 1
    return _kind(found)


def _small_talk_zh(text: str) -> Intent | None:
    """The small-talk kind when small-talk words (longest first) use up all of `text`."""
    rules = _rules("zh")
    laugh = rules.patterns.get("laugh")
    longest = max(map(len, rules.words), default=1)
    found: list[Intent | None] = []
    i = 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 0, -1):
            piece = text[i : i + size]
            if piece in rules.words:
                found.append(rules.words[piece])
                i += size
                break
        else:
            match = laugh.match(text, i) if laugh else None
            if match is None or not match.group():
                return None
            found.append(Intent.ok)
            i = match.end()
    return _kind(found)
