"""How much of a Chinese question a card answers, weighed against everyday Chinese.

The BM25 share (`RankedHit.match`) weighs a question's words by how rare they are *in the course*,
and so cannot tell a word the course teaches from an everyday word it happens to use, nor count a
single character ("拍", "卖", "群") that a short question rests on. This score weighs each word
against a background of general Chinese: jieba's dictionary frequencies (about 60 million words of
everyday text, shipped with jieba), so it needs no list of our own.

- A question word weighs its information in everyday Chinese, -log p(general): "问题" or "时候"
  (about 7) weigh half as much as "发货" or "猪瘟" (14, 15). Every word counts, the words the
  course never uses too (换届, 选举, 签证), so an off-topic question is not answered for the one
  course word or the few characters it shares.
- A card that contains a word earns that weight times the word's specificity to the course:
  log(p(course) / p(general)) / SPECIFIC_LOG, clipped to 0..1. "拍", "快递", "直播" are far more
  common in the course than in everyday text (1); "问题" is not (0).
- A single character counts as a word of its own on both sides (how often the course's search
  terms and jieba's dictionary have it alone), so "机" inside every "手机" does not make a lone
  "机" look like course vocabulary, while "拍" (take a photo), alone all over the course, is.
- A word jieba made up (in neither its dictionary nor the course: "记在", "建个") is read as its
  characters, each weighed as above.

`share` is the card's earned weight over the question's whole weight (0..1).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.qa.text import ZH_STOP, word_frequencies

SPECIFIC_LOG = 2.0  # a word e² (about 7) times more common in the course than in everyday text is
# fully specific to it; one as common there as anywhere is not specific at all


Weighed = tuple[tuple[str, float, float], ...]  # (term, everyday weight, specificity to the course)


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


@dataclass(frozen=True)
class Background:
    """General Chinese frequencies and the course's own, for one course in Chinese."""

    words: Mapping[str, int]  # jieba's dictionary: word -> frequency
    total: int  # sum of the dictionary's frequencies
    course: Mapping[str, float]  # the course's terms -> share of its terms

    @classmethod
    def chinese(cls, terms: Iterable[Sequence[str]]) -> Background:
        """The background for a course whose cards are searched as `terms`."""
        words, total = word_frequencies()
        counted = Counter(term for card in terms for term in card)
        course_total = sum(counted.values()) or 1
        return cls(
            words=words,
            total=total or 1,
            course={term: n / course_total for term, n in counted.items()},
        )

    def weigh(self, asked: Sequence[str]) -> Weighed:
        """The question's distinct terms (a word jieba made up read as its characters), each
        with its everyday weight and its specificity to the course; once per question."""
        terms: list[str] = []
        for term in asked:
            made_up = (
                len(term) > 1
                and all(_is_han(char) for char in term)
                and term not in self.course
                and not self.words.get(term)
            )
            if made_up:
                terms.extend(char for char in term if char not in ZH_STOP)
            else:
                terms.append(term)
        return tuple(
            (term, -math.log(self._general(term)), self._specific(term))
            for term in dict.fromkeys(terms)
        )

    def _general(self, term: str) -> float:
        return (self.words.get(term, 0) + 1) / self.total

    def _specific(self, term: str) -> float:
        share = self.course.get(term, 0.0)
        if not share:
            return 0.0
        return max(0.0, min(1.0, math.log(share / self._general(term)) / SPECIFIC_LOG))


def share(weighed: Weighed, text: str, searched: Collection[str]) -> float:
    """The share of the question's everyday weight that a card holds, each word it contains
    counted by its specificity (0..1). A word is in the card when `text` (the card with its
    lesson's title and summary) has it, or its search terms `searched` do (synonyms)."""
    total = sum(weight for _, weight, _ in weighed)
    earned = sum(
        weight * specific
        for term, weight, specific in weighed
        if specific and (term in searched or term in text)
    )
    return earned / total if total else 0.0
