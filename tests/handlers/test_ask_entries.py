"""Lecturers' answers kept as entries, with and without an LLM: an entry that answers the question
is given at once (no model call, never declined by retrieval); entries near the question go to the
model with the cards, marked as the lecturer's, and an answer drawn from them says so; removing an
entry stops it at once, also on another worker (two runtimes on one database). Over real HTTP to
the fake OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.db.models import AnswerEntry, TraineeQuestion
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings, migrated_runtime
from tests.fakes.openai_server import FakeOpenAI
from tests.handlers.test_ask import enrol
from tests.handlers.test_ask_llm import COVERED, School, labels

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
# Not covered by the sample course: retrieval alone declines each of these.
FOOTBALL = {
    "en": "Who won the football match last night?",
    "es": "¿Quién ganó el partido de fútbol anoche?",
    "zh": "昨晚的足球比赛谁赢了？",
}
ANSWER = {
    "en": "The village shop shows the matches; ask there.",
    "es": "La tienda del pueblo pasa los partidos; pregunte ahí.",
    "zh": "村口小卖部放比赛，去那儿问问。",
}
# Near the entry but not the same question: "who won?" alone.
VAGUE = {"en": "who won?", "es": "¿quién ganó?", "zh": "比赛谁赢了"}
# Near COVERED["en"] (daylight, window, dark) but about more: given to the model, not at once.
NEAR_COVERED = (
    "Is daylight by a dark window better than a lamp or candles for cheese at night in the kitchen?"
)
FROM_MODEL = {
    "en": "Ask at the village shop [lecturer-1].",
    "es": "Pregunte en la tienda del pueblo [lecturer-1].",
    "zh": "去村口小卖部问问[lecturer-1]。",
}


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[School]:
    async with FakeOpenAI() as llm:
        runtime = await migrated_runtime(
            make_settings(database_url, llm_base_url=llm.base_url, llm_api_key="k", llm_timeout=1)
        )
        try:
            yield School(runtime, llm)
        finally:
            await runtime.close()


async def add_entry(runtime: Runtime, language: str, question: str, answer: str) -> int:
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


async def remove_entry(runtime: Runtime, number: int) -> None:
    async with runtime.sessions() as session:
        await session.delete(await session.get(AnswerEntry, number))
        await session.commit()


async def modes(runtime: Runtime) -> list[str]:
    async with runtime.sessions() as session:
        found = await session.exec(select(TraineeQuestion.mode).order_by(TraineeQuestion.id))
        return [str(mode) for mode in found]


@pytest.mark.parametrize("language", ["zh", "es", "en"])
async def test_an_entry_near_the_question_goes_to_the_model_and_is_cited(
    school: School, language: str
) -> None:
    t = Translator(language)
    ana = Trainee(school.runtime, "ana", "Ana", language)
    await enrol(school.runtime, ana)
    await add_entry(school.runtime, language, FOOTBALL[language], ANSWER[language])
    school.llm.reply(FROM_MODEL[language])
    replies = await ana.send(VAGUE[language])
    [request] = school.llm.chat_requests
    user = request["messages"][1]["content"]
    assert "lecturer's answer: [lecturer-1]" in user
    assert FOOTBALL[language] in user and ANSWER[language] in user
    assert "lesson: [" not in user  # retrieval declined the cards: only the entry is given
    assert "[lecturer-1]" in request["messages"][0]["content"]  # the rules say how to cite it
    [reply] = replies
    assert reply.text.startswith(t("qa.with_lecturer"))
    assert (
        "lecturer-1" not in reply.text and FROM_MODEL[language].split("[")[0].strip() in reply.text
    )
    assert t("qa.ask_lecturer") not in labels(replies)  # answered: nothing to pass on
    assert await modes(school.runtime) == ["lecturer"]


async def test_an_entry_that_answers_the_question_needs_no_model(school: School) -> None:
    for language in ("zh", "es", "en"):
        t = Translator(language)
        ana = Trainee(school.runtime, f"ana-{language}", "Ana", language)
        await ana.send("/start")
        await add_entry(school.runtime, language, FOOTBALL[language], ANSWER[language])
        replies = await ana.send(FOOTBALL[language])
        assert [r.text for r in replies] == [t("qa.from_lecturer") + "\n\n" + ANSWER[language]]
    assert school.llm.chat_requests == []
    assert await modes(school.runtime) == ["lecturer"] * 3


async def test_an_answer_drawn_from_an_entry_is_not_cached_and_stops_with_it(
    school: School,
) -> None:
    en = Translator("en")
    ana = Trainee(school.runtime, "ana", "Ana", "en")
    await enrol(school.runtime, ana)
    number = await add_entry(school.runtime, "en", FOOTBALL["en"], ANSWER["en"])
    school.llm.reply(FROM_MODEL["en"])
    school.llm.reply(FROM_MODEL["en"])
    await ana.send(VAGUE["en"])
    await ana.send(VAGUE["en"])
    assert len(school.llm.chat_requests) == 2  # asked again: not from the cache
    await remove_entry(school.runtime, number)
    replies = await ana.send(VAGUE["en"])
    assert [r.text for r in replies] == [en("qa.not_covered")]  # retrieval's decline, at once
    assert len(school.llm.chat_requests) == 2
    assert labels(replies) == [en("qa.ask_lecturer")]


async def test_an_older_cached_answer_is_not_served_once_an_entry_is_near(
    school: School,
) -> None:
    """A question answered (and cached) before the lecturer's entry existed is asked again: the
    model now sees the entry."""
    ana = Trainee(school.runtime, "ana", "Ana", "en")
    await enrol(school.runtime, ana)
    school.llm.reply("Use daylight by a window [good-photos].")
    await ana.send(COVERED["en"])
    await add_entry(school.runtime, "en", NEAR_COVERED, "Yes, always.")
    school.llm.reply("Daylight is better [lecturer-1].")
    replies = await ana.send(COVERED["en"])
    assert len(school.llm.chat_requests) == 2
    user = school.llm.chat_requests[1]["messages"][1]["content"]
    assert "[good-photos]" in user and "Yes, always." in user  # the cards and the entry
    assert replies[0].text.startswith(Translator("en")("qa.with_lecturer"))
    assert await modes(school.runtime) == ["llm", "lecturer"]


async def test_the_model_may_leave_the_entry_aside_or_decline(school: School) -> None:
    en = Translator("en")
    ana = Trainee(school.runtime, "ana", "Ana", "en")
    await enrol(school.runtime, ana)
    await add_entry(school.runtime, "en", FOOTBALL["en"], ANSWER["en"])
    school.llm.reply("NOT_COVERED")
    replies = await ana.send(VAGUE["en"])
    assert [r.text for r in replies] == [en("qa.not_covered")]
    assert labels(replies) == [en("qa.ask_lecturer")]
    await add_entry(school.runtime, "en", NEAR_COVERED, "Yes, always.")
    school.llm.reply("Use daylight by a window [good-photos].")
    replies = await ana.send(COVERED["en"])
    assert replies[0].text == "Use daylight by a window."  # the cards' answer: not the lecturer's
    assert await modes(school.runtime) == ["none", "llm"]


async def test_the_model_failing_falls_back_to_retrieval(school: School) -> None:
    """An outage with only the entry to answer from: retrieval's decline (never a made-up answer);
    with the cards too: the best card's excerpt, as before."""
    en = Translator("en")
    ana = Trainee(school.runtime, "ana", "Ana", "en")
    await enrol(school.runtime, ana)
    await add_entry(school.runtime, "en", FOOTBALL["en"], ANSWER["en"])
    school.llm.fail_next(500)
    replies = await ana.send(VAGUE["en"])
    assert [r.text for r in replies] == [en("qa.not_covered")]


@pytest.mark.parametrize("language", ["zh", "es", "en"])
async def test_without_an_llm_a_matching_entry_is_never_declined(
    database_url: str, language: str
) -> None:
    """Retrieval declines the question; the entry answers it. Removed on another worker (a
    second runtime on the same database), it stops answering on this one at once."""
    t = Translator(language)
    one = await migrated_runtime(make_settings(database_url))
    other = await migrated_runtime(make_settings(database_url))
    try:
        asker = one.academy.services.asker
        assert asker is not None
        course = one.academy.services.courses["sample"]
        declined = await asker.answer(FOOTBALL[language], language, course)
        assert not declined.answered  # retrieval alone declines it
        number = await add_entry(other, language, FOOTBALL[language], ANSWER[language])
        ana = Trainee(one, "ana", "Ana", language)
        await ana.send("/start")
        replies = await ana.send(FOOTBALL[language])
        assert [r.text for r in replies] == [t("qa.from_lecturer") + "\n\n" + ANSWER[language]]
        await remove_entry(other, number)
        replies = await ana.send(FOOTBALL[language])
        assert [r.text for r in replies] == [t("qa.not_covered_alone")]
    finally:
        await one.close()
        await other.close()
