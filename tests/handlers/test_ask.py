"""Questions in the chat: an answer citing a lesson, "not covered" with a handoff to the lecturer,
the lecturer's answer coming back, the daily quota, and the LLM over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.db.models import Cohort, Delivery, Membership, Person, TraineeQuestion
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings, migrated_runtime
from tests.fakes.openai_server import FakeOpenAI

en = Translator("en")


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await migrated_runtime(make_settings(database_url, qa_daily_quota=3))
    try:
        yield runtime
    finally:
        await runtime.close()


async def enrol(runtime: Runtime, trainee: Trainee) -> Person:
    """The trainee in a class whose lecturer is "lec"."""
    await trainee.send("/start")
    lecturer = Trainee(runtime, "lec", "Li", "en")
    await lecturer.send("/start")
    async with runtime.sessions() as session:
        people = {p.channel_user_id: p for p in await session.exec(select(Person))}
        cohort = Cohort(
            name="Peaches",
            course_id="sample",
            timezone="UTC",
            lecturer_id=people["lec"].id,
            invite_code="ABCD-EFGH",
        )
        session.add(cohort)
        await session.flush()
        people["lec"].role = "lecturer"
        me = people[trainee.sender.user_id]
        me.cohort_id = cohort.id
        session.add_all([people["lec"], me, Membership(cohort_id=cohort.id, person_id=me.id)])
        await session.commit()
    return people["lec"]


async def test_a_covered_question_is_answered_from_the_lesson(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    (answer,) = await ana.send("My photo is dark. How do I use daylight by a window?")
    lesson = school.academy.services.courses["sample"].lesson("good-photos", "en")
    # The card is short: the whole of it, under the lesson's name (bot.qa.passage).
    heading = en("qa.from_lesson", title=lesson.title)
    assert answer.text == heading + "\n\n" + lesson.cards[0].text.strip()
    assert answer.buttons[0][0].payload == "qa:read:good-photos"
    async with school.sessions() as session:
        (stored,) = await session.exec(select(TraineeQuestion))
    assert (stored.mode, stored.answered, stored.sources.split(",")[0]) == (
        "retrieval",
        True,
        "good-photos",
    )


async def test_not_covered_goes_to_the_lecturer_and_the_answer_comes_back(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    lecturer = await enrol(school, ana)
    (reply,) = await ana.send("Who won the football match last night?")
    assert reply.text == en("qa.not_covered")
    await ana.press(en("qa.ask_lecturer"))
    assert ana.texts == [en("qa.handed_off")]
    async with school.sessions() as session:
        question = (await session.exec(select(TraineeQuestion))).one()
        to_lecturer = (await session.exec(select(Delivery))).one()
    assert question.handed_off and to_lecturer.person_id == lecturer.id
    assert to_lecturer.kind == "question"

    li = Trainee(school, "lec", "Li", "en")
    listed = (await li.send("/questions"))[0].text
    assert f"#{question.id} Ana: Who won" in listed
    await li.send(f"/answer {question.id} Ask the village shop.")
    assert li.texts == [en("qa.answer_sent", number=question.id)]
    async with school.sessions() as session:
        back = (await session.exec(select(Delivery).where(Delivery.kind == "answer"))).one()
        stored = await session.get(TraineeQuestion, question.id)
    assert (
        back.person_id == question.person_id and stored.lecturer_answer == "Ask the village shop."
    )
    assert (await li.send("/questions"))[0].text == en("qa.none_open")
    other = Trainee(school, "eve", "Eve", "en")
    assert (await other.send(f"/answer {question.id} hi"))[0].text == en("access.denied")


async def test_the_daily_quota_and_the_cache(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    first = await ana.send("How do I use daylight by a window for photos?")
    again = await ana.send("how do i use DAYLIGHT by a window, for photos")
    assert again[0].text == first[0].text
    async with school.sessions() as session:
        modes = [q.mode for q in await session.exec(select(TraineeQuestion))]
    assert modes == ["retrieval", "cache"]
    await ana.send("What is a good price?")
    assert (await ana.send("One more question"))[0].text == en("qa.quota_alone", quota=3)


async def test_the_llm_writes_the_answer_and_its_citations_are_kept(database_url: str) -> None:
    async with FakeOpenAI() as llm:
        runtime = await migrated_runtime(
            make_settings(database_url, llm_base_url=llm.base_url, llm_api_key="k", llm_timeout=2)
        )
        try:
            llm.reply("Take the photo by a window in daylight [good-photos] [pricing].")
            ana = Trainee(runtime, "ana", "Ana", "en")
            (answer,) = await ana.send("My photo is dark. How do I use daylight by a window?")
            assert answer.text == "Take the photo by a window in daylight."
            async with runtime.sessions() as session:
                (stored,) = await session.exec(select(TraineeQuestion))
            assert (stored.mode, stored.sources) == ("llm", "good-photos")
            llm.fail_next(status=500)
            (fallback,) = await ana.send("How do I show the size of my peaches with a coin?")
            assert fallback.text.startswith(en("qa.from_lesson", title="")[:10])
        finally:
            await runtime.close()


async def test_an_llm_answer_past_the_limit_is_cut_at_a_sentence(database_url: str) -> None:
    async with FakeOpenAI() as llm:
        runtime = await migrated_runtime(
            make_settings(database_url, llm_base_url=llm.base_url, llm_api_key="k", llm_timeout=2)
        )
        try:
            sentences = [f"Photo tip {n}: stand by a window in daylight." for n in range(20)]
            llm.reply(" ".join(sentences) + " [good-photos]")
            ana = Trainee(runtime, "ana", "Ana", "en")
            (answer,) = await ana.send("My photo is dark. How do I use daylight by a window?")
            assert len(answer.text) <= 450 and answer.text.endswith("daylight. …")
            assert " ".join(sentences).startswith(answer.text.removesuffix(" …"))
            prompt = llm.chat_requests[0]["messages"][0]["content"]
            assert "never more than 450 characters" in prompt
        finally:
            await runtime.close()


async def test_a_lecturer_answers_by_replying_to_the_passed_on_question(school: Runtime) -> None:
    from bot.core.messages import Incoming, Sender

    ana = Trainee(school, "ana", "Ana", "en")
    await enrol(school, ana)
    await ana.send("Who won the football match last night?")
    await ana.press(en("qa.ask_lecturer"))
    async with school.sessions() as session:
        question = (await session.exec(select(TraineeQuestion))).one()
    copy = en("qa.to_lecturer", name="Ana", question=question.text, number=question.id)

    async def reply_as(user_id: str, text: str) -> list[str]:
        incoming = Incoming.from_text(Sender("test", user_id), text, reply_to_text=copy)
        async with school.sessions() as session:
            return [r.text for r in await school.academy.handle(incoming, session)]

    # A trainee quoting the same text asks a question of their own: nothing is answered (and eve,
    # in no class, is offered no lecturer).
    assert await reply_as("eve", "Who won?") == [en("qa.not_covered_alone")]
    assert await reply_as("lec", "The village shop shows the matches.") == [
        en("qa.answer_sent", number=question.id)
    ]
    async with school.sessions() as session:
        stored = await session.get(TraineeQuestion, question.id)
        back = (await session.exec(select(Delivery).where(Delivery.kind == "answer"))).all()
    assert stored.lecturer_answer == "The village shop shows the matches."
    assert [d.person_id for d in back] == [question.person_id]


@pytest.mark.parametrize("typed", ["menú", "Menu", " 菜单 ", "0"])
async def test_typing_menu_or_0_brings_the_menu_back_and_asks_nothing(
    school: Runtime, typed: str
) -> None:
    ana = Trainee(school, "ana", "Ana", "es")
    await ana.send("/start")
    (reply,) = await ana.send(typed)
    es = Translator("es")
    assert reply.text == es("show_menu.text")
    assert reply.menu is not None and reply.menu[-1] == (es("menu.help"), es("menu.language"))
    async with school.sessions() as session:
        assert list(await session.exec(select(TraineeQuestion))) == []


async def test_a_question_in_spanish_from_an_english_reader_is_answered_in_spanish(
    school: Runtime,
) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    (answer,) = await ana.send("como tomo la foto con luz del dia junto a una ventana")
    lesson = school.academy.services.courses["sample"].lesson("good-photos", "es")
    assert answer.text.startswith(Translator("es")("qa.from_lesson", title=lesson.title))
    async with school.sessions() as session:
        (stored,) = await session.exec(select(TraineeQuestion))
    assert (stored.language, stored.answered) == ("es", True)


@pytest.mark.parametrize("text", ["3", "12:30", "5 5"])
async def test_a_message_without_words_gets_the_menu_not_a_decline(
    school: Runtime, text: str
) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    (reply,) = await ana.send(text)
    assert reply.text == en("fallback.text") and reply.menu
    async with school.sessions() as session:
        assert list(await session.exec(select(TraineeQuestion))) == []
