"""Lecturers' answers kept as entries: found for a trainee's question before the cards are.

The entries of a course in a language are searched with the cards' own BM25 index
(bot.qa.retrieval.CourseIndex, its public `build` and `search`): each entry is added to a copy of
the course as a one-card lesson whose title and card are the question, so it is weighed against
the course's vocabulary (a tiny index of entries alone would have meaningless IDFs). An entry
answers when it matches the question well both ways: it is among the first COVER_DEPTH hits, is
`relevant` like a card, holds at least ENTRY_MATCH of the question (the hit's IDF-weighted
match share), and the question holds at least ENTRY_COVERED of the entry's question's terms (so
"who won?" does not get the answer to "who won the football match last night?"). Such an entry
wins over every card and over a decline.

With an LLM configured, entries that match less well (among the first RELATED_DEPTH hits,
`relevant`, at least ENTRY_RELATED of the question) go to the model as context with the cards,
marked as the lecturer's answers (`Matches.related`); the model may answer from them.

The index of a (course, language) is rebuilt when its entries change, also when another worker
changed them: every search first reads the entries' version (count, newest id, latest edit), one
small indexed query.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import AnswerEntry, TraineeQuestion
from bot.lessons.model import Card, Course, Lesson
from bot.qa.retrieval import COVER_DEPTH, CourseIndex, match_of, relevant
from bot.qa.text import EN_STOP, STOP_WORDS, tokenize

ENTRY_MATCH = 0.35  # the least (IDF-weighted) share of the question an entry must contain
ENTRY_RELATED = 0.2  # the least share of the question a `relevant` entry given to the LLM holds
RELATED_ALONE = 0.5  # the share from which an entry goes to the LLM even when not `relevant`
RELATED_DEPTH = 5  # how many hits are looked at for entries given to the LLM
MAX_RELATED = 2  # and at most this many of them are given
ENTRY_COVERED = 0.5  # the least share of the entry's question terms the question must contain
SAME_QUESTION = 0.8  # token-set overlap (Jaccard) from which two questions are the same one
RECENT = timedelta(days=90)  # how far back `times_asked` looks
RECENT_ROWS = 500  # and at most this many questions of the course and language
_CONTACT = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|@\w+")  # e-mails, links, handles
# Phone numbers, amounts, dates, house numbers (a sentence's full stop after them is kept).
_NUMBERISH = re.compile(r"[0-9+\-/.:,]*\d[0-9A-Za-z\-/]*")
_WORD_OR_STOP = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[.!?¿¡\n]")
_HAN_OR_LATIN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+")
_PREFIX = "entry:"  # an entry's lesson slug in the copy of the course (no lesson slug has ":")

Version = tuple[int, int | None, datetime | None]


@dataclass(frozen=True)
class Matches:
    """The entries found for a question."""

    exact: AnswerEntry | None = None  # answers it at once, without the LLM
    related: tuple[AnswerEntry, ...] = ()  # near it: context for the LLM (exact excluded)


@dataclass(frozen=True)
class _Book:
    """The searchable entries of one course in one language."""

    course: Course  # the content they were built with: new content, new index
    version: Version
    index: CourseIndex
    entries: dict[int, AnswerEntry]


def _slug(entry_id: int) -> str:
    return f"{_PREFIX}{entry_id}"


def with_entries(course: Course, language: str, entries: list[AnswerEntry]) -> Course:
    """A copy of `course` in `language` alone with each entry as a one-card lesson."""
    texts = dict(course.texts)
    slugs = []
    for entry in entries:
        slug = _slug(entry.id or 0)
        texts[(slug, language)] = Lesson(
            slug=slug,
            language=language,
            title=entry.question,
            summary="",
            minutes=1,
            cards=(Card(text=entry.question),),
            quiz=(),
        )
        slugs.append(slug)
    return replace(course, languages=(language,), lessons=(*course.lessons, *slugs), texts=texts)


@dataclass
class EntryFinder:
    """Finds the entry that answers a question; keeps one index per course and language."""

    _books: dict[tuple[str, str], _Book] = field(default_factory=dict)

    async def find(
        self, session: AsyncSession, question: str, language: str, course: Course
    ) -> AnswerEntry | None:
        """The lecturer's entry that answers `question`, or None (no entry matches well)."""
        return (await self.match(session, question, language, course)).exact

    async def match(
        self, session: AsyncSession, question: str, language: str, course: Course
    ) -> Matches:
        """The entry that answers `question` and the ones near it (see `matching_entries`)."""
        version = await _version(session, course.id, language)
        if version[0] == 0:
            self._books.pop((course.id, language), None)
            return Matches()
        book = self._books.get((course.id, language))
        if book is None or book.version != version or book.course is not course:
            book = await self._build(session, course, language, version)
        return matching_entries(book.index, book.entries, question, language, course.id)

    async def _build(
        self, session: AsyncSession, course: Course, language: str, version: Version
    ) -> _Book:
        found = list(
            await session.exec(
                select(AnswerEntry)
                .where(AnswerEntry.course_id == course.id, AnswerEntry.language == language)
                .order_by(col(AnswerEntry.id))
            )
        )
        index = CourseIndex.build({course.id: with_entries(course, language, found)})
        book = _Book(course, version, index, {entry.id or 0: entry for entry in found})
        self._books[(course.id, language)] = book
        return book


def best_entry(
    index: CourseIndex,
    entries: Mapping[int, AnswerEntry],
    question: str,
    language: str,
    course_id: str,
) -> AnswerEntry | None:
    """The entry of `index` (a course `with_entries`) that matches `question` well both ways (see
    the module docstring), or None."""
    return matching_entries(index, entries, question, language, course_id).exact


def matching_entries(
    index: CourseIndex,
    entries: Mapping[int, AnswerEntry],
    question: str,
    language: str,
    course_id: str,
) -> Matches:
    """The entry of `index` (a course `with_entries`) that answers `question` (the first that
    matches well both ways, among the first COVER_DEPTH hits) and up to MAX_RELATED others near
    it (among the first RELATED_DEPTH hits, `relevant`, at least ENTRY_RELATED of the question)."""
    hits = index.search(question, language, course_id, k=max(COVER_DEPTH, RELATED_DEPTH))
    asked = set(tokenize(question, language))
    exact: AnswerEntry | None = None
    related: list[AnswerEntry] = []
    for rank, hit in enumerate(hits):
        slug = hit.passage.lesson
        entry = entries.get(int(slug[len(_PREFIX) :])) if slug.startswith(_PREFIX) else None
        share, fits = match_of(hit), relevant(hit)
        if entry is None or share < (ENTRY_RELATED if fits else RELATED_ALONE):
            continue
        if (
            exact is None
            and fits
            and rank < COVER_DEPTH
            and share >= ENTRY_MATCH
            and _covered(entry.question, asked, language) >= ENTRY_COVERED
        ):
            exact = entry
        elif len(related) < MAX_RELATED:
            related.append(entry)
    return Matches(exact, tuple(related))


def _covered(question: str, asked: set[str], language: str) -> float:
    """The share of `question`'s search terms that are among `asked`."""
    terms = set(tokenize(question, language))
    return len(terms & asked) / len(terms) if terms else 0.0


async def _version(session: AsyncSession, course_id: str, language: str) -> Version:
    """What changes whenever an entry of the course and language is added, edited or removed."""
    row = (
        await session.exec(
            select(func.count(), func.max(AnswerEntry.id), func.max(AnswerEntry.updated_at)).where(
                AnswerEntry.course_id == course_id, AnswerEntry.language == language
            )
        )
    ).one()
    return int(row[0]), row[1], row[2]


def same_question(one: str, other: str, language: str) -> bool:
    """Whether two questions are the same one: equal or nearly equal search terms."""
    a, b = set(tokenize(one, language)), set(tokenize(other, language))
    if not a or not b:
        return one.strip().casefold() == other.strip().casefold()
    return len(a & b) / len(a | b) >= SAME_QUESTION


async def times_asked(session: AsyncSession, question: TraineeQuestion, now: datetime) -> int:
    """How many recent questions of its course and language are the same as `question` (itself
    included): from two on, the lecturer is asked to add their answer to the answers."""
    recent = await session.exec(
        select(TraineeQuestion.text)
        .where(
            TraineeQuestion.course_id == question.course_id,
            TraineeQuestion.language == question.language,
            TraineeQuestion.normalised != "",  # personal matters kept for the lecturer
            col(TraineeQuestion.asked_at) >= now - RECENT,
            TraineeQuestion.id != question.id,
        )
        .order_by(col(TraineeQuestion.asked_at).desc())
        .limit(RECENT_ROWS)
    )
    same = sum(same_question(question.text, text, question.language) for text in recent)
    return 1 + same


async def from_questions_of(session: AsyncSession, person_id: int) -> list[AnswerEntry]:
    """The entries whose question is word for word one the person asked (same course and
    language): what of their wording the answers keep, for /mydata and /forgetme."""
    found = await session.exec(
        select(AnswerEntry)
        .join(
            TraineeQuestion,
            and_(
                col(TraineeQuestion.course_id) == col(AnswerEntry.course_id),
                col(TraineeQuestion.language) == col(AnswerEntry.language),
                col(TraineeQuestion.text) == col(AnswerEntry.question),
            ),
        )
        .where(TraineeQuestion.person_id == person_id)
        .order_by(col(AnswerEntry.id))
    )
    unique = {entry.id: entry for entry in found}
    return list(unique.values())


def course_vocabulary(course: Course, language: str) -> set[str]:
    """Every word (casefolded) of the course's lessons in `language`."""
    words: set[str] = set()
    for (_, lang), lesson in course.texts.items():
        if lang != language:
            continue
        for text in (lesson.title, lesson.summary, *(card.text for card in lesson.cards)):
            words.update(w.casefold() for w in _HAN_OR_LATIN.findall(text))
            words.update(m.group().casefold() for m in _WORD_OR_STOP.finditer(text))
    return words


def neutral_wording(question: str, language: str, known: set[str]) -> str:
    """A trainee's question without what may point to them, its words kept for matching: no
    e-mails, links, handles or anything with a digit (phone numbers, amounts, dates); no
    punctuation, emoji or capitals (how they type). In es and en a word written with a capital
    inside a sentence that the course never uses (a name, a place) is left out; in Chinese a
    Latin word the course never uses. Chinese names cannot be told from words: they stay."""
    text = _NUMBERISH.sub(" ", _CONTACT.sub(" ", question))
    if language == "zh":
        runs = _HAN_OR_LATIN.findall(text)
        kept = [r if not r.isascii() else r.casefold() for r in runs]
        return " ".join(r for r in kept if not r.isascii() or r in known)
    stop = STOP_WORDS.get(language, EN_STOP)
    words, starts = [], True
    for match in _WORD_OR_STOP.finditer(text):
        word = match.group()
        if word in ".!?¿¡\n":
            starts = True
            continue
        named = word[0].isupper() and not starts and len(word) > 1
        if not named or word.casefold() in known or word.casefold() in stop:
            words.append(word.casefold())
        starts = False
    return " ".join(words)


async def forget_wording(
    session: AsyncSession, person_id: int, courses: Mapping[str, Course], now: datetime
) -> None:
    """Before a trainee is forgotten: each entry made from their question keeps the lecturer's
    answer with the question in `neutral_wording` (removed when no word is left to match); no
    entry holds a link to a trainee. `updated_at` moves, so every worker rebuilds its index."""
    for entry in await from_questions_of(session, person_id):
        course = courses.get(entry.course_id)
        known = course_vocabulary(course, entry.language) if course is not None else set()
        entry.question = neutral_wording(entry.question, entry.language, known)
        if not entry.question:
            await session.delete(entry)
            continue
        entry.updated_at = now
        session.add(entry)
    await session.flush()
