"""How often a course uses its words (es and en terms; Chinese words as text).

- `in_passing`: the terms the whole course uses PASSING_USES times at most ("barking dogs" in the
  card on a quiet place to stream): a mention, not something the course teaches.
- `topical`: (term, lesson) for the terms a lesson uses TOPICAL_USES times or more: what the
  lesson is about, with its title and summary (counted in every card of it).
- `not_taught`: the listed words of topics a selling course does not teach (outside.<lang>.txt)
  that this course uses in passing at most: a lesson on one lifts its veto by itself.

Used by bot/qa/retrieval.py when a course is indexed.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence

from bot.qa.model import Passage
from bot.qa.text import outside_words, tokenize

PASSING_USES = 1  # a term used at most this often in the whole course is used in passing
TOPICAL_USES = 2  # a term a lesson uses at least this often is on that lesson's topic
PASSING_TOGETHER = 3  # this many once-used words of a question in one card are no coincidence

Postings = Mapping[str, list[tuple[int, int]]]  # term -> [(passage number, term count)]


def in_passing(postings: Postings) -> frozenset[str]:
    """The terms used PASSING_USES times at most in the whole course: in passing, not taught
    ("barking dogs" in the card on a quiet place to stream)."""
    return frozenset(
        term for term, found in postings.items() if sum(c for _, c in found) <= PASSING_USES
    )


def topical(
    passages: Sequence[tuple[Passage, list[str]]], postings: Postings
) -> frozenset[tuple[str, str]]:
    """(term, lesson) for every term a lesson uses TOPICAL_USES times or more (its title and
    summary are in every card, so their terms always are)."""
    counts: Counter[tuple[str, str]] = Counter()
    for term, found in postings.items():
        for number, count in found:
            counts[(term, passages[number][0].lesson)] += count
    return frozenset(key for key, count in counts.items() if count >= TOPICAL_USES)


def not_taught(
    language: str,
    cards: list[tuple[Passage, str]],
    passages: Sequence[tuple[Passage, list[str]]],
) -> frozenset[str]:
    """The listed words of topics not taught (text.outside_words) that this course uses in
    passing at most (Chinese words and es/en phrases, words joined by "_", not at all): Chinese
    words and es/en phrases as text, es/en words as terms."""
    words = outside_words(language)
    text = "".join(p.title + summary + p.text for p, summary in cards)
    if language == "zh":
        return frozenset(word for word in words if word not in text)
    folded = " ".join(fold(text).split())
    phrases = {fold(word.replace("_", " ")) for word in words if "_" in word}
    counts = Counter(term for _, terms in passages for term in terms)
    used = {term for term, count in counts.items() if count > PASSING_USES}
    stems = {term for word in words if "_" not in word for term in tokenize(word, language)}
    return frozenset(stems - used) | frozenset(p for p in phrases if p not in folded)


def fold(text: str) -> str:
    """Lower case, without accents and with ’ as ', for finding phrases in text."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
