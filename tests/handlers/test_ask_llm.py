"""With an LLM configured, the model may say the cards it was given do not answer the question:
the trainee then gets the same decline as retrieval's, in their language, with the button that
passes the question to their lecturer; the marker never reaches them. Over real HTTP to the fake
OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlmodel import select

from bot.core.messages import Reply
from bot.db.models import Delivery, TraineeQuestion
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings, migrated_runtime
from tests.fakes.openai_server import FakeOpenAI
from tests.handlers.test_ask import enrol

# A question each language's sample lesson covers (retrieval finds good-photos for it).
COVERED = {
    "en": "My photo is dark. How do I use daylight by a window?",
    "es": "Mi foto salió oscura. ¿Cómo uso la luz del día junto a una ventana?",
    "zh": "照片拍暗了，怎么在窗边借白天的光？",
}


@dataclass
class School:
    runtime: Runtime
    llm: FakeOpenAI


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


def labels(replies: list[Reply]) -> list[str]:
    return [button.label for reply in replies for row in reply.buttons for button in row]


async def stored_questions(runtime: Runtime) -> list[TraineeQuestion]:
    async with runtime.sessions() as session:
        return list(await session.exec(select(TraineeQuestion).order_by(TraineeQuestion.id)))


@pytest.mark.parametrize("language", ["zh", "es", "en"])
async def test_the_model_says_not_covered_and_the_lecturer_is_offered(
    school: School, language: str
) -> None:
    t = Translator(language)
    ana = Trainee(school.runtime, "ana", "Ana", language)
    lecturer = await enrol(school.runtime, ana)
    school.llm.reply("NOT_COVERED")
    replies = await ana.send(COVERED[language])
    assert [r.text for r in replies] == [t("qa.not_covered")]
    assert labels(replies) == [t("qa.ask_lecturer")]  # no lesson to open: only the lecturer
    [request] = school.llm.chat_requests  # retrieval found the lesson; the model read it
    assert "[good-photos]" in request["messages"][1]["content"]
    [question] = await stored_questions(school.runtime)
    assert (question.answered, question.mode, question.sources) == (False, "none", "")
    assert question.answer == t("qa.not_covered")

    await ana.press(t("qa.ask_lecturer"))
    assert ana.texts == [t("qa.handed_off")]
    async with school.runtime.sessions() as session:
        passed = (await session.exec(select(Delivery))).one()
    assert passed.kind == "question" and passed.person_id == lecturer.id


@pytest.mark.parametrize(
    "reply",
    [
        "NOT_COVERED.",
        '"NOT_COVERED"',
        "「NOT_COVERED」",
        "**not_covered**",
        "Not covered.",
        "The lessons do not say how to fix a login. NOT_COVERED",
        "Use daylight [good-photos].\nNOT_COVERED",
    ],
)
async def test_the_marker_with_punctuation_quotes_or_words_is_a_decline(
    school: School, reply: str
) -> None:
    es = Translator("es")
    ana = Trainee(school.runtime, "ana", "Ana", "es")
    await enrol(school.runtime, ana)
    school.llm.reply(reply)
    replies = await ana.send(COVERED["es"])
    assert [r.text for r in replies] == [es("qa.not_covered")]
    assert labels(replies) == [es("qa.ask_lecturer")]
    shown = " ".join(r.text for r in replies).casefold()
    assert "covered" not in shown and "daylight" not in shown


async def test_without_a_lecturer_the_decline_says_what_the_bot_can_do(school: School) -> None:
    zh = Translator("zh")
    ana = Trainee(school.runtime, "ana", "Ana", "zh")
    school.llm.reply("NOT_COVERED")
    replies = await ana.send(COVERED["zh"])
    assert replies[-1].text == zh("qa.not_covered_alone")
    assert "NOT_COVERED" not in " ".join(r.text for r in replies)
    assert zh("qa.ask_lecturer") not in labels(replies)


async def test_a_normal_answer_is_answered_with_its_citation(school: School) -> None:
    es = Translator("es")
    ana = Trainee(school.runtime, "ana", "Ana", "es")
    await enrol(school.runtime, ana)
    school.llm.reply("Tome la foto junto a una ventana, con luz del día [good-photos].")
    (answer,) = await ana.send(COVERED["es"])
    assert answer.text == "Tome la foto junto a una ventana, con luz del día."
    assert labels([answer]) == ["📖 Tome fotos que den confianza"]
    assert es("qa.ask_lecturer") not in labels([answer])
    [question] = await stored_questions(school.runtime)
    assert (question.answered, question.mode, question.sources) == (True, "llm", "good-photos")


async def test_a_decline_is_not_cached_the_next_asker_gets_the_model_again(
    school: School,
) -> None:
    en = Translator("en")
    ana = Trainee(school.runtime, "ana", "Ana", "en")
    school.llm.reply("NOT_COVERED")
    await ana.send(COVERED["en"])
    school.llm.reply("Stand by a window in daylight [good-photos].")
    (again,) = await ana.send(COVERED["en"].lower())
    assert again.text == "Stand by a window in daylight."
    assert len(school.llm.chat_requests) == 2
    (third,) = await ana.send(COVERED["en"])  # an answer is cached: the model is not asked
    assert third.text == again.text and len(school.llm.chat_requests) == 2
    modes = [(q.mode, q.answered) for q in await stored_questions(school.runtime)]
    assert modes == [("none", False), ("llm", True), ("cache", True)]
    assert en("qa.not_covered") != again.text


async def test_what_retrieval_declines_is_never_sent_to_the_model(school: School) -> None:
    en = Translator("en")
    ana = Trainee(school.runtime, "ana", "Ana", "en")
    await enrol(school.runtime, ana)
    (reply,) = await ana.send("Who won the football match last night?")
    assert reply.text == en("qa.not_covered")
    assert labels([reply]) == [en("qa.ask_lecturer")]
    assert school.llm.chat_requests == []


async def test_an_outage_still_falls_back_to_the_lesson_text(school: School) -> None:
    en = Translator("en")
    lesson = school.runtime.academy.services.courses["sample"].lesson("good-photos", "en")
    ana = Trainee(school.runtime, "ana", "Ana", "en")
    school.llm.fail_next(status=503)
    (answer,) = await ana.send(COVERED["en"])
    assert answer.text.startswith(en("qa.from_lesson", title=lesson.title))
    school.llm.delay_next(5)  # past LLM_TIMEOUT
    (late,) = await ana.send("How do I show the size of my peaches with a coin?")
    assert late.text.startswith(en("qa.from_lesson", title=lesson.title))
    modes = [(q.mode, q.answered) for q in await stored_questions(school.runtime)]
    assert modes == [("retrieval", True), ("retrieval", True)]
