"""Asking the course: retrieval, then the LLM when one is configured, else the best card's excerpt;
every question stored; a daily quota and a cache of identical questions."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import AnswerEntry, AnswerMode, Person, TraineeQuestion
from bot.i18n import Translator
from bot.lessons.model import Course
from bot.localtime import local_midnight
from bot.qa.embeddings import EmbeddingIndex
from bot.qa.entries import EntryFinder
from bot.qa.intents import without_small_talk
from bot.qa.model import Answer, Hit, LecturerNote, Source, cites_lecturer
from bot.qa.passage import answer_limit, best_excerpt, shorten
from bot.qa.question_language import latin_language
from bot.qa.retrieval import CourseIndex, covers, lesson_sources

if TYPE_CHECKING:
    from bot.qa.llm import LLMAnswerer, LLMResult

CACHE_FOR = timedelta(days=7)
_CJK = re.compile(r"[\u4e00-\u9fff]")


class QuotaReached(Exception):
    """The person asked their daily number of questions already."""


def normalise(text: str) -> str:
    """The same question typed twice, differently: case, width, spaces and punctuation ignored."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch if ch.isalnum() else " " for ch in folded)
    return " ".join(kept.split())


def language_of(text: str, fallback: str, offered: Collection[str] = ("zh", "es", "en")) -> str:
    """Chinese characters mean Chinese; otherwise Spanish or English when the question's small
    words clearly say which (bot.qa.question_language), else the person's language (English for
    a Chinese reader typing Latin letters)."""
    if _CJK.search(text):
        return "zh"
    written = latin_language(text)
    if written is not None and written in offered:
        return written
    return "en" if fallback == "zh" else fallback


@dataclass
class Asker:
    """Everything answering needs; made once at start-up."""

    index: CourseIndex
    llm: LLMAnswerer | None = None  # when an LLM is configured
    quota: int = 30
    embeddings: EmbeddingIndex | None = None  # when EMBEDDING_MODEL is set
    entries: EntryFinder = field(default_factory=EntryFinder)  # lecturers' answers, searched first

    def use(self, courses: Mapping[str, Course], index: CourseIndex) -> None:
        """New content: search `index` from now on; embed the new cards on the next question."""
        self.index = index
        if self.embeddings is not None:
            self.embeddings = replace(self.embeddings, courses=courses)

    async def ask(
        self, session: AsyncSession, person: Person, course: Course, text: str, now: datetime
    ) -> tuple[TraineeQuestion, Answer]:
        """Answer and record one question; raises QuotaReached past the daily quota."""
        assert person.id is not None
        await self._check_quota(session, person, now)
        language = language_of(text, person.language, course.languages)
        key = normalise(text)
        started = time.perf_counter()
        # A lecturer's entry first: it may be newer than a cached answer to the same words.
        found = await self.entries.match(session, without_small_talk(text), language, course)
        entry = found.exact
        # Entries near the question go to the model: its answer then depends on them (and is not
        # cached), so an older cached answer that never saw them is not served either.
        notes: tuple[LecturerNote, ...] = ()
        if self.llm is not None:  # without a model, only an entry that answers is given
            notes = tuple(LecturerNote(e.question, e.answer) for e in found.related)
        skip_cache = entry is not None or bool(notes)
        cached = None if skip_cache else await self._cached(session, course.id, language, key, now)
        if entry is not None:
            answer = from_lecturer(Translator(language), entry)
        else:
            answer = cached or await self._answer(text, language, course, notes)
        question = TraineeQuestion(
            person_id=person.id,
            cohort_id=person.cohort_id,
            course_id=course.id,
            language=language,
            text=text[:2000],
            normalised=key[:2000],
            mode=AnswerMode.cache if cached else answer.mode,
            answered=answer.answered,
            answer=answer.text[:4000],
            sources=",".join(s.lesson for s in answer.sources)[:500],
            latency_ms=round((time.perf_counter() - started) * 1000),
            asked_at=now,
        )
        session.add(question)
        await session.flush()
        return question, answer

    async def keep_for_lecturer(
        self, session: AsyncSession, person: Person, course: Course, text: str, now: datetime
    ) -> TraineeQuestion:
        """Record a message only the lecturer can answer (a personal matter, a question about the
        class): not searched, not answered, never served from the cache to anyone."""
        assert person.id is not None
        question = TraineeQuestion(
            person_id=person.id,
            cohort_id=person.cohort_id,
            course_id=course.id,
            language=language_of(text, person.language, course.languages),
            text=text[:2000],
            normalised="",  # the cache never matches an empty key
            mode=AnswerMode.none,
            answered=False,
            answer="",
            sources="",
            latency_ms=0,
            asked_at=now,
        )
        session.add(question)
        await session.flush()
        return question

    async def _check_quota(self, session: AsyncSession, person: Person, now: datetime) -> None:
        midnight = local_midnight(person, now)
        asked = await session.exec(
            select(func.count()).where(
                TraineeQuestion.person_id == person.id, col(TraineeQuestion.asked_at) >= midnight
            )
        )
        if asked.one() >= self.quota:
            raise QuotaReached

    async def _cached(
        self, session: AsyncSession, course_id: str, language: str, key: str, now: datetime
    ) -> Answer | None:
        if not key:
            return None
        found = (
            await session.exec(
                select(TraineeQuestion)
                .where(
                    TraineeQuestion.course_id == course_id,
                    TraineeQuestion.language == language,
                    TraineeQuestion.normalised == key,
                    col(TraineeQuestion.mode).in_((AnswerMode.llm, AnswerMode.retrieval)),
                    col(TraineeQuestion.asked_at) >= now - CACHE_FOR,
                )
                .order_by(col(TraineeQuestion.asked_at).desc())
                .limit(1)
            )
        ).first()
        if found is None:
            return None
        sources = [Source(slug, "", 0.0) for slug in found.sources.split(",") if slug]
        return Answer(found.answer, found.answered, found.mode, sources)

    async def answer(self, text: str, language: str, course: Course) -> Answer:
        """An answer without recording anything (the CLI, the evaluation)."""
        return await self._answer(text, language, course)

    async def _answer(
        self, text: str, language: str, course: Course, notes: tuple[LecturerNote, ...] = ()
    ) -> Answer:
        """`notes`: the lecturer's answers near the question, given to the LLM with the cards."""
        searched = without_small_talk(text)  # "hola, ..., gracias": the words around it dilute it
        hits = self.index.search(searched, language, course.id, k=5)
        covered = covers(hits)
        if self.embeddings is not None:
            hits, covered = await self.embeddings.combine(
                searched, language, course.id, hits, covered, k=5
            )
        t = Translator(language)
        if not covered and not notes:  # retrieval's decline first: the model is not asked
            return Answer(t("qa.not_covered"), False, AnswerMode.none)
        if self.llm is not None:
            # Cards retrieval declined are not given: only the lecturer's answers, then.
            given = hits if covered else []
            result = await self.llm.answer(text, language, given, notes=notes)
            if result is not None and result.not_covered:
                # The model found no answer in the cards it was given: the same decline as
                # retrieval's (the handler offers the lecturer); mode none, so never cached.
                return Answer(t("qa.not_covered"), False, AnswerMode.none)
            if result is not None and result.text.strip():
                return from_model(t, result, given, language)
        if not covered:  # the model failed and retrieval declined: nothing to answer from
            return Answer(t("qa.not_covered"), False, AnswerMode.none)
        weights = self.index.term_weights(searched, language, course.id)
        return from_lesson_text(t, hits, weights)


def from_model(t: Translator, result: LLMResult, hits: list[Hit], language: str) -> Answer:
    """The model's answer, with the lessons it cited (the best one when it cited none). One
    that cites a lecturer's answer is headed as drawn from it and has mode `lecturer`: never
    served from the cache, so an edit or removal of the entry shows at once."""
    text = shorten(result.text.strip(), language)  # the limit the prompt asked for
    sources = [s for s in lesson_sources(hits) if s.lesson in result.cited]
    if cites_lecturer(result.cited):
        return Answer(t("qa.with_lecturer") + "\n\n" + text, True, AnswerMode.lecturer, sources)
    return Answer(text, True, AnswerMode.llm, sources or lesson_sources(hits)[:1])


def from_lecturer(t: Translator, entry: AnswerEntry) -> Answer:
    """A lecturer's kept answer, cited as theirs."""
    text = t("qa.from_lecturer") + "\n\n" + entry.answer.strip()
    return Answer(text, True, AnswerMode.lecturer)


def from_lesson_text(t: Translator, hits: list[Hit], weights: Mapping[str, float]) -> Answer:
    """Without an LLM (or when it failed): the part of the best matching card that answers the
    question (`weights`: its search terms' IDF), named as the lesson's text, the whole answer
    within the language's limit (bot.qa.passage)."""
    best = hits[0].passage
    heading = t("qa.from_lesson", title=best.title)
    room = answer_limit(best.language) - len(heading) - 2
    text = heading + "\n\n" + best_excerpt(best.text, weights, best.language, room)
    return Answer(text, True, AnswerMode.retrieval, lesson_sources(hits))
