"""Finding a lecturer's entry for a question: the course's own BM25 index with the entries added,
both-way matching, and rebuilding when the entries change in another worker or the content does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.db.models import AnswerEntry, Person, TraineeQuestion
from bot.lessons.model import Course
from bot.qa.entries import (
    EntryFinder,
    course_vocabulary,
    neutral_wording,
    same_question,
    times_asked,
    with_entries,
)
from bot.runtime import Runtime
from tests.conftest import make_settings, migrated_runtime

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
FOOTBALL = {
    "en": "Who won the football match last night?",
    "es": "¿Quién ganó el partido de fútbol anoche?",
    "zh": "昨晚的足球比赛谁赢了？",
}
REWORDED = {
    "en": "which team won the football game yesterday night",
    "es": "quien gano el partido de futbol de anoche",
    "zh": "昨天晚上足球比赛谁赢了",
}
VAGUE = {"en": "who won?", "es": "¿quién ganó?", "zh": "谁赢了"}
COVERED = {
    "en": "My photo is dark. How do I use daylight by a window?",
    "es": "¿Cómo tomo fotos de mis duraznos?",
    "zh": "怎么给桃子拍照片？",
}


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    running = await migrated_runtime(make_settings(database_url))
    try:
        yield running
    finally:
        await running.close()


def sample(runtime: Runtime) -> Course:
    return runtime.academy.services.courses["sample"]


async def add(runtime: Runtime, language: str, question: str, answer: str) -> int:
    async with runtime.sessions() as session:
        entry = AnswerEntry(
            course_id="sample",
            language=language,
            question=question,
            answer=answer,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(entry)
        await session.commit()
        return entry.id or 0


async def found(runtime: Runtime, finder: EntryFinder, text: str, language: str) -> str | None:
    async with runtime.sessions() as session:
        entry = await finder.find(session, text, language, sample(runtime))
    return None if entry is None else entry.answer


@pytest.mark.parametrize("language", ["en", "es", "zh"])
async def test_the_same_question_in_other_words_finds_the_entry(
    runtime: Runtime, language: str
) -> None:
    await add(runtime, language, FOOTBALL[language], "shop")
    finder = EntryFinder()
    assert await found(runtime, finder, FOOTBALL[language], language) == "shop"
    assert await found(runtime, finder, REWORDED[language], language) == "shop"
    assert await found(runtime, finder, VAGUE[language], language) is None
    assert await found(runtime, finder, COVERED[language], language) is None
    other = "es" if language != "es" else "en"  # entries are per language
    assert await found(runtime, finder, FOOTBALL[language], other) is None


async def test_no_entries_costs_no_index(runtime: Runtime) -> None:
    finder = EntryFinder()
    assert await found(runtime, finder, FOOTBALL["en"], "en") is None
    assert finder._books == {}


async def test_a_change_by_another_worker_is_seen(runtime: Runtime) -> None:
    """Two finders (two workers): what one's lecturer changes, the other's next search sees."""
    number = await add(runtime, "en", FOOTBALL["en"], "shop")
    mine, theirs = EntryFinder(), EntryFinder()
    assert await found(runtime, theirs, FOOTBALL["en"], "en") == "shop"
    async with runtime.sessions() as session:
        entry = await session.get(AnswerEntry, number)
        assert entry is not None
        entry.answer, entry.updated_at = "2 to 1", NOW + timedelta(minutes=1)
        session.add(entry)
        await session.commit()
    assert await found(runtime, theirs, FOOTBALL["en"], "en") == "2 to 1"
    await add(runtime, "en", "Can I bring my dog to the live session?", "Yes")
    assert await found(runtime, mine, "can i bring my dog to the live session", "en") == "Yes"
    assert await found(runtime, theirs, "can i bring my dog to the live session", "en") == "Yes"
    async with runtime.sessions() as session:
        await session.delete(await session.get(AnswerEntry, number))
        await session.commit()
    assert await found(runtime, theirs, FOOTBALL["en"], "en") is None


async def test_new_content_rebuilds_the_index(runtime: Runtime) -> None:
    await add(runtime, "en", FOOTBALL["en"], "shop")
    finder = EntryFinder()
    course = sample(runtime)
    async with runtime.sessions() as session:
        assert await finder.find(session, FOOTBALL["en"], "en", course) is not None
        reloaded = replace(course)
        assert await finder.find(session, FOOTBALL["en"], "en", reloaded) is not None
    assert finder._books[("sample", "en")].course is reloaded


def test_entries_are_lessons_of_a_copy_of_the_course(runtime: Runtime) -> None:
    course = sample(runtime)
    entry = AnswerEntry(id=7, course_id="sample", language="es", question="¿Hola?", answer="x")
    copy = with_entries(course, "es", [entry])
    assert copy.languages == ("es",) and copy.lessons[-1] == "entry:7"
    assert copy.lesson("entry:7", "es").title == "¿Hola?"
    assert course.lessons == copy.lessons[:-1] and "entry:7" not in course.lessons


@pytest.mark.parametrize(
    ("one", "other", "language", "same"),
    [
        (FOOTBALL["en"], "who won last night's football match", "en", True),
        (FOOTBALL["en"], "who won the match", "en", False),
        (FOOTBALL["es"], "quien gano el partido de futbol anoche", "es", True),
        (FOOTBALL["zh"], "昨晚足球比赛谁赢了", "zh", True),
        (FOOTBALL["zh"], "谁赢了", "zh", False),
        ("?", "?", "en", True),  # no search terms: the same text
    ],
)
def test_same_question(one: str, other: str, language: str, same: bool) -> None:
    assert same_question(one, other, language) is same


async def test_times_asked_counts_the_same_recent_questions(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        person = Person(channel="test", channel_user_id="ana")
        session.add(person)
        await session.flush()
        texts = [
            (FOOTBALL["en"], NOW - timedelta(days=200)),  # too long ago
            ("who won last night's football match", NOW - timedelta(days=3)),
            ("How do I price peaches?", NOW - timedelta(days=2)),
            (FOOTBALL["en"], NOW),
        ]
        questions = []
        for text, at in texts:
            question = TraineeQuestion(
                person_id=person.id or 0,
                course_id="sample",
                language="en",
                text=text,
                normalised=text.casefold(),
                asked_at=at,
            )
            session.add(question)
            questions.append(question)
        await session.flush()
        assert await times_asked(session, questions[-1], NOW) == 2
        assert await times_asked(session, questions[2], NOW) == 1
        assert len(list(await session.exec(select(TraineeQuestion)))) == 4


@pytest.mark.parametrize(
    ("asked", "language", "neutral"),
    [
        (
            "Good evening, Rosalind here, stall 17. Who won?? Call +52 951 555 or rq@x.org 😀",
            "en",
            "good evening here stall who won call or",
        ),
        (
            "Hola, soy Rosa Pérez de San Pedro. ¿Quién ganó el partido? Mi Facebook es @rosa3",
            "es",
            "hola soy de quién ganó el partido mi facebook es",
        ),
        (
            "我是李家村的，电话13812345678，昨晚的比赛谁赢了？Wang 微信",
            "zh",
            "我是李家村的 电话 昨晚的比赛谁赢了 微信",
        ),
        ("Rosalind 17 !!", "en", "rosalind"),  # at the start of a sentence: not told from a word
    ],
)
def test_neutral_wording(asked: str, language: str, neutral: str) -> None:
    """Numbers, contacts, punctuation, emoji and capitals go; so do names in es and en (a word
    with a capital inside a sentence that the course never uses); the words to match stay."""
    assert neutral_wording(asked, language, {"facebook"}) == neutral


def test_the_course_vocabulary_keeps_its_names(runtime: Runtime) -> None:
    known = course_vocabulary(sample(runtime), "en")
    assert {"photo", "daylight"} <= known
    assert neutral_wording("Can Rosalind use Daylight?", "en", known) == "can use daylight"


@pytest.mark.parametrize("language", ["en", "es", "zh"])
async def test_a_vaguer_question_gets_the_entry_as_context_only(
    runtime: Runtime, language: str
) -> None:
    """ "who won?" is not answered by the entry at once, but the LLM is given it; a question on
    another topic gets nothing."""
    await add(runtime, language, FOOTBALL[language], "shop")
    finder = EntryFinder()
    near = {"en": "who won?", "es": "¿quién ganó?", "zh": "比赛谁赢了"}[language]
    async with runtime.sessions() as session:
        vague = await finder.match(session, near, language, sample(runtime))
        exact = await finder.match(session, FOOTBALL[language], language, sample(runtime))
        other = await finder.match(session, COVERED[language], language, sample(runtime))
    assert vague.exact is None and [e.answer for e in vague.related] == ["shop"]
    assert exact.exact is not None and exact.related == ()
    assert other.exact is None and other.related == ()
