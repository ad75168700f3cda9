"""Find the lesson cards that answer a trainee's question, and decide when nothing does.

One BM25 index per (course, language), one passage per lesson card. Each card is matched together
with its lesson's title (counted TITLE_WEIGHT times, so a question that names the lesson's topic
finds every card of it) and summary; the Passage keeps only the card's own text.

BM25 is written out here (about 40 lines) rather than taken from `rank_bm25`: the corpus is tiny
(a course is ~60 cards a language), we need postings to score only the cards that share a term
(fast), the Lucene IDF that never goes negative, and the per-hit match share used by `covers`,
none of which `rank_bm25` gives without computing every document's score.

Relevance rule (`covers`), from what every RankedHit carries. Evidence is the question's
informative terms the card (with its title and summary) contains: a single Chinese character is
never evidence ("换届选举" must not meet the course's 换 and 选), nor is a stop word.

- `terms`: how many distinct informative terms the card shares with the question; `rare`: one of
  them is course-specific: in at most RARE_CARDS cards ("screenshot", "验证码"), in the cards
  of one lesson only however many ("背景" and "标题" are each taught in one lesson), or in a
  lesson's title, which names what it teaches ("fotos?" asks for the photo lesson).
- `match`: their IDF-weighted share of the question's informative terms. A term the course never
  uses counts UNKNOWN_WEIGHT of the largest IDF, so the asker's own product ("walnuts") or a
  chatty word dilutes less than an off-topic word used to, and single characters count nothing.
- `strength`: the informative terms' BM25 score divided by the IDF of a term in no card,
  roughly "how many rare course words the card shares with the question".
- `background` (Chinese): the share of the question, weighed against everyday Chinese, that the
  card holds (bot/qa/background.py); at least BACKGROUND_MATCH covers on its own ("咋发货").
- `outside`: the question names a topic a selling course does not teach (outside.<lang>.txt:
  hail, loans, taxes, crop disease, health, elections, an app that will not log in) and this
  course never uses that word; add a lesson on it and the veto lifts by itself.

One of the top COVER_DEPTH hits covers the question when it shares one rare term that is most of
the question (match >= SINGLE_MATCH), or two or more terms with a fair share (match >=
PAIR_MATCH), or three or more strongly (strength >= MIN_STRENGTH_LONG, whatever the share: a long
chatty question is not diluted into a decline). One common shared word never covers. A question
with an `outside` topic is covered only when a card holds nearly all of it (OUTSIDE_MATCH).

Chinese words the course never uses are backed off to the shorter words, synonyms and characters
in them that it does use, so "打包" (pack) still meets "包装" when jieba segments the question
differently; the backed-off pieces rank cards, but the question's share is counted on its own words.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.lessons.model import Course
from bot.qa.background import Background, share
from bot.qa.known import back_off, undiminish, words_in
from bot.qa.model import Hit, Passage, Source
from bot.qa.text import (
    add_words,
    as_written,
    course_words,
    is_single_han,
    outside_words,
    question_terms,
    tokenize,
)

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2  # the title's terms are counted this many times in every card of the lesson
COVER_DEPTH = 3  # how many of the best hits `covers` looks at
RARE_CARDS = 3  # a term in at most this many cards is course-specific: alone it can cover
MIN_STRENGTH_LONG = 1.5  # three or more words matching this strongly cover at any share
PAIR_MATCH = 0.28  # the share two or more informative words must have of the question
SINGLE_MATCH = 0.75  # the share one rare course word must have of the question
OUTSIDE_MATCH = 0.8  # a question naming a topic not taught needs this share to be covered
UNKNOWN_WEIGHT = 0.5  # a question word the course never uses counts this share of the top IDF
FOCUS_LESSONS = 1  # a term in at most this many lessons is about something the course teaches
BACKGROUND_MATCH = 0.5  # a card holding this share of a question weighed against everyday Chinese


@dataclass(frozen=True)
class RankedHit(Hit):
    """A Hit that also says how much of the question the card contains (see `covers`)."""

    match: float = 0.0
    strength: float = 0.0
    terms: int = 0  # distinct informative question terms the card contains
    rare: bool = False  # one is course-specific (RARE_CARDS cards, FOCUS_LESSONS lesson, a title)
    outside: bool = False  # the question names a topic the course does not teach
    background: float = 0.0  # share of the question against everyday text (zh, first hits only)


@dataclass(frozen=True)
class _Index:
    """BM25 over the passages of one course in one language."""

    passages: tuple[Passage, ...]
    postings: dict[str, list[tuple[int, int]]]  # term -> [(passage number, term count)]
    lengths: tuple[int, ...]  # terms per passage
    idf: dict[str, float]
    unknown_idf: float  # the weight of a term no passage contains
    rare_idf: float  # a term in at most RARE_CARDS passages weighs at least this
    outside: frozenset[str] = frozenset()  # topics not taught: terms (es, en) or text (zh)
    focus: frozenset[str] = frozenset()  # terms in at most FOCUS_LESSONS lessons or in a title
    texts: tuple[str, ...] = ()  # each passage's title, summary and text, for `background`
    searched: tuple[frozenset[str], ...] = ()  # each passage's terms, for `background`
    background: Background | None = None  # everyday Chinese (see bot/qa/background.py)

    @classmethod
    def build(
        cls,
        passages: Sequence[tuple[Passage, list[str]]],
        outside: frozenset[str] = frozenset(),
        texts: Sequence[str] = (),
    ) -> _Index:
        postings: dict[str, list[tuple[int, int]]] = {}
        for number, (_, terms) in enumerate(passages):
            for term, count in Counter(terms).items():
                postings.setdefault(term, []).append((number, count))
        n = len(passages)
        idf = {term: _idf(n, len(found)) for term, found in postings.items()}
        focus = frozenset(
            term
            for term, found in postings.items()
            if len({passages[number][0].lesson for number, _ in found}) <= FOCUS_LESSONS
        ) | frozenset(t for p, _ in passages for t in tokenize(p.title, p.language))
        return cls(
            passages=tuple(passage for passage, _ in passages),
            postings=postings,
            lengths=tuple(len(terms) for _, terms in passages),
            idf=idf,
            unknown_idf=_idf(n, 0),
            rare_idf=_idf(n, RARE_CARDS),
            outside=outside,
            focus=focus,
            texts=tuple(texts),
            searched=tuple(frozenset(terms) for _, terms in passages) if texts else (),
            background=Background.chinese(t for _, t in passages) if texts else None,
        )

    def search(
        self,
        terms: Sequence[str],
        k: int,
        outside: bool = False,
        asked: Sequence[str] | None = None,
        plain: Sequence[str] = (),
        against: frozenset[str] = frozenset(),
    ) -> list[RankedHit]:
        """The k best passages for `terms`; `asked`: the question's own terms before back-off
        (the denominator of `match`), `terms` when None; `plain`: the question's words as jieba
        cut them, for the `background` share; `against`: terms that name a topic not taught,
        which never count as matched."""
        query = list(dict.fromkeys(terms))  # distinct terms, in order
        if not query or not self.passages:
            return []
        average = sum(self.lengths) / len(self.lengths) or 1.0
        scores: dict[int, float] = {}
        informative: dict[int, float] = {}  # BM25 of the informative terms alone
        weights: dict[int, float] = {}
        matched: dict[int, int] = {}
        rare: set[int] = set()
        for term in query:
            idf = self.idf.get(term)
            if idf is None:
                continue
            counts = not is_single_han(term) and term not in against
            for number, count in self.postings[term]:
                norm = K1 * (1 - B + B * self.lengths[number] / average)
                score = idf * count * (K1 + 1) / (count + norm)
                scores[number] = scores.get(number, 0.0) + score
                if counts:
                    informative[number] = informative.get(number, 0.0) + score
                    weights[number] = weights.get(number, 0.0) + idf
                    matched[number] = matched.get(number, 0) + 1
                    if idf >= self.rare_idf or term in self.focus:
                        rare.add(number)
        distinct_asked = dict.fromkeys(query if asked is None else asked)
        total = sum(self._weight(term) for term in distinct_asked) or 1.0
        best = sorted(scores, key=lambda number: (-scores[number], number))[:k]
        background = self.background
        everyday = background.weigh(plain) if background else ()
        return [
            RankedHit(
                passage=self.passages[number],
                score=scores[number],
                match=min(1.0, weights.get(number, 0.0) / total),
                strength=informative.get(number, 0.0) / self.unknown_idf,
                terms=matched.get(number, 0),
                rare=number in rare,
                outside=outside,
                background=(
                    share(everyday, self.texts[number], self.searched[number])
                    if background and rank < COVER_DEPTH  # the only hits `covers` reads
                    else 0.0
                ),
            )
            for rank, number in enumerate(best)
        ]

    def _weight(self, term: str) -> float:
        """A question term's part in the whole question (the denominator of `match`)."""
        if is_single_han(term):
            return 0.0
        idf = self.idf.get(term)
        return idf if idf is not None else self.unknown_idf * UNKNOWN_WEIGHT

    def names_outside(
        self, question: str, terms: Sequence[str], language: str
    ) -> tuple[bool, frozenset[str]]:
        """Whether the question names a topic the course does not teach (see `_outside`), and the
        search terms of the words or phrases that name it: evidence against the course, never for
        it ("my phone won't turn on" must not meet the card on turning on "do not disturb")."""
        if language == "zh":
            named = [word for word in self.outside if word in question]
        else:
            text = " ".join(_fold(question).split())
            named = [term for term in terms if term in self.outside]
            named += [p for p in self.outside if " " in p and p in text]
        against = frozenset(term for word in named for term in tokenize(word, language))
        return bool(named), against


def _idf(passages: int, containing: int) -> float:
    """Lucene's BM25 IDF: always positive, highest for a term in no passage."""
    return math.log(1 + (passages - containing + 0.5) / (containing + 0.5))


class CourseIndex:
    """Search indexes for every course in every one of its languages."""

    def __init__(self, indexes: dict[tuple[str, str], _Index]) -> None:
        self._indexes = indexes

    @classmethod
    def build(cls, courses: Mapping[str, Course]) -> CourseIndex:
        """Index every card of every lesson of every course, once per course language.

        Chinese: the course's own terms are added to jieba's dictionary first (see text.add_words).
        """
        indexes: dict[tuple[str, str], _Index] = {}
        for course_id, course in courses.items():
            for language in course.languages:
                cards = card_passages(course_id, course, language)
                if language == "zh":
                    texts = [p.title for p, _ in cards] + [p.text for p, _ in cards]
                    add_words(course_words(texts))
                passages = _passages(cards)
                texts = [p.title + summary + p.text for p, summary in cards]
                indexes[(course_id, language)] = _Index.build(
                    passages, _outside(language, cards, passages), texts if language == "zh" else ()
                )
        return cls(indexes)

    def search(self, question: str, language: str, course_id: str, k: int = 5) -> list[Hit]:
        """The `k` best cards for `question`, best first, as RankedHits with BM25 scores.

        An empty list when the question has no search terms or the course lacks the language.
        Raises KeyError for a course that was not indexed.
        """
        index = self._indexes.get((course_id, language))
        if index is None:
            if not any(key[0] == course_id for key in self._indexes):
                raise KeyError(f"course {course_id!r} is not indexed")
            return []
        asked, terms = _query_terms(question, language, index)
        plain = asked
        if language == "zh":  # a word read as a known word weighs as that word ("寄才" as 快递)
            asked = [w for term in asked for w in words_in(term, index.idf) or [term]]
        written = as_written(question, language).lower()
        outside, against = index.names_outside(written, terms, language)
        return list(index.search(terms, k, outside, asked, plain, against))

    def term_weights(self, question: str, language: str, course_id: str) -> dict[str, float]:
        """The distinct terms `search` looks for in `question`, each with its IDF in that course
        and language (a term no card has weighs as the rarest); {} when the language is not
        indexed. For weighing parts of a card the way the search weighs cards."""
        index = self._indexes.get((course_id, language))
        if index is None:
            return {}
        _, terms = _query_terms(question, language, index)
        return {term: index.idf.get(term, index.unknown_idf) for term in dict.fromkeys(terms)}


def _query_terms(question: str, language: str, index: _Index) -> tuple[list[str], list[str]]:
    """A question's words as asked (Spanish diminutives read as their base word) and its search
    terms in one index (Chinese backed off to known words and characters)."""
    asked = question_terms(question, language)
    if language == "es":
        asked = [undiminish(term, index.idf) for term in asked]
    return asked, back_off(asked, index.idf) if language == "zh" else asked


def _outside(
    language: str,
    cards: list[tuple[Passage, str]],
    passages: Sequence[tuple[Passage, list[str]]],
) -> frozenset[str]:
    """The listed words of topics not taught (text.outside_words) that this course never uses:
    Chinese words and es/en phrases (words joined by "_") as text, es/en words as terms."""
    words = outside_words(language)
    text = "".join(p.title + summary + p.text for p, summary in cards)
    if language == "zh":
        return frozenset(word for word in words if word not in text)
    folded = " ".join(_fold(text).split())
    phrases = {_fold(word.replace("_", " ")) for word in words if "_" in word}
    used = {term for _, terms in passages for term in terms}
    stems = {term for word in words if "_" not in word for term in tokenize(word, language)}
    return frozenset(stems - used) | frozenset(p for p in phrases if p not in folded)


def _fold(text: str) -> str:
    """Lower case, without accents and with ’ as ', for finding phrases in text."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def card_passages(course_id: str, course: Course, language: str) -> list[tuple[Passage, str]]:
    """Every card of the course in `language` as a Passage, with its lesson's summary."""
    out: list[tuple[Passage, str]] = []
    for slug in course.lessons:
        lesson = course.lesson(slug, language)
        for number, card in enumerate(lesson.cards):
            passage = Passage(
                course_id=course_id,
                lesson=slug,
                language=lesson.language,  # a missing translation falls back to another
                title=lesson.title,
                card=number,
                text=card.text,
            )
            out.append((passage, lesson.summary))
    return out


def _passages(cards: list[tuple[Passage, str]]) -> list[tuple[Passage, list[str]]]:
    """The cards with their search terms: the card's, its summary's and TITLE_WEIGHT titles'."""
    out: list[tuple[Passage, list[str]]] = []
    lesson_terms: dict[str, list[str]] = {}  # slug -> title and summary terms, made once
    for passage, summary in cards:
        lang = passage.language
        if passage.lesson not in lesson_terms:
            title_terms = tokenize(passage.title, lang) * TITLE_WEIGHT
            lesson_terms[passage.lesson] = title_terms + tokenize(summary, lang)
        out.append((passage, lesson_terms[passage.lesson] + tokenize(passage.text, lang)))
    return out


def match_of(hit: Hit) -> float:
    """The hit's match share (0..1); 1.0 for a plain Hit, which carries no such figure."""
    return hit.match if isinstance(hit, RankedHit) else 1.0


def strength_of(hit: Hit) -> float:
    """The hit's strength (see the module docstring); a plain Hit counts as strong."""
    return hit.strength if isinstance(hit, RankedHit) else MIN_STRENGTH_LONG


def relevant(hit: Hit) -> bool:
    """Whether this one hit answers its question (the rule in the module docstring)."""
    if not isinstance(hit, RankedHit):
        return True
    if hit.outside and hit.match < OUTSIDE_MATCH:
        return False
    if hit.background >= BACKGROUND_MATCH:
        return True  # most of what the question says in everyday Chinese is the course's subject
    if hit.terms == 0 or (hit.terms == 1 and not hit.rare):
        return False  # one common shared word is not an answer
    if hit.terms == 1 and hit.match < SINGLE_MATCH:
        return False  # one rare word covers a question that is about little else
    if hit.terms >= 3 and hit.strength >= MIN_STRENGTH_LONG:
        return True  # a long, chatty question: its share is small, its course words are many
    return hit.match >= PAIR_MATCH


def covers(hits: Sequence[Hit]) -> bool:
    """Whether the course answers the question these hits were found for (best first).

    True when one of the first COVER_DEPTH hits is `relevant`; False for no hits at all.
    """
    return any(relevant(hit) for hit in hits[:COVER_DEPTH])


def lesson_sources(hits: Sequence[Hit]) -> list[Source]:
    """One Source per lesson, scored by its best card, best first (ties in order of the hits)."""
    best: dict[str, Source] = {}
    for hit in hits:
        slug = hit.passage.lesson
        if slug not in best or hit.score > best[slug].score:
            best[slug] = Source(lesson=slug, title=hit.passage.title, score=hit.score)
    return sorted(best.values(), key=lambda source: -source.score)
