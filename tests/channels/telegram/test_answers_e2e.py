"""Lecturers' answers kept as entries, on Telegram over real HTTP: a question the course does
not cover is passed on, the lecturer answers it and adds it to the answers, the next trainee who
asks it (in other words) gets it at once, cited; the lecturer changes it and removes it; a
trainee cannot reach /answers; the same question twice proposes keeping the answer; with an
LLM, entries near a question go to the model (the fake OpenAI server)."""

from __future__ import annotations

from sqlmodel import select

from bot.db.models import Cohort, Person, Role, TraineeQuestion
from bot.i18n import Translator
from tests.channels.telegram.conftest import LiveBot, polling_bot
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram, FakeUser

en, es = Translator("en"), Translator("es")


async def staffed_class(live: LiveBot, lecturer: FakeUser, *trainees: FakeUser) -> None:
    """`lecturer` made a lecturer and opening a class, which the trainees join."""
    await lecturer.send_text("/start")
    await lecturer.wait_messages(1)
    async with live.runtime.sessions() as session:
        query = select(Person).where(Person.channel_user_id == str(lecturer.id))
        person = (await session.exec(query)).one()
        person.role = Role.lecturer
        session.add(person)
        await session.commit()
    await lecturer.send_text("/newcohort Peaches")
    await lecturer.wait_messages(3)
    async with live.runtime.sessions() as session:
        code = (await session.exec(select(Cohort.invite_code))).one()
    for trainee in trainees:
        await trainee.send_text(f"/start {code}")
        await trainee.wait_messages(2)  # the welcome, and the class joined


async def pass_on(live: LiveBot, trainee: FakeUser, text: str, t: Translator) -> int:
    """`text` asked and, not covered, passed to the lecturer: its question number."""
    await trainee.send_text(text)
    (declined,) = await trainee.wait_messages(1)
    assert declined.text == t("qa.not_covered")
    await trainee.press(t("qa.ask_lecturer"), declined)
    (handed,) = await trainee.wait_messages(1)
    assert handed.text == t("qa.handed_off")
    async with live.runtime.sessions() as session:
        found = await session.exec(select(TraineeQuestion).where(TraineeQuestion.text == text))
        return found.one().id or 0


async def test_a_lecturers_answer_becomes_an_entry_end_to_end(live_bot: LiveBot) -> None:
    fake = live_bot.fake
    li = fake.user(931, "Li", language_code="en")
    ana = fake.user(932, "Ana", language_code="en")
    ben = fake.user(933, "Ben", language_code="en")
    await staffed_class(live_bot, li, ana, ben)

    number = await pass_on(live_bot, ana, "Who won the football match last night?", en)
    await li.send_text(f"/answer {number} Ask at the village shop; they show every match.")
    (sent,) = await li.wait_messages(1)
    assert sent.text == en("qa.answer_sent", number=number)
    await li.press(en("answers.add"), sent)
    (added,) = await li.wait_messages(1)
    assert added.text.startswith("📚 ")

    await ben.send_text("who won last night's football match??")
    (answer,) = await ben.wait_messages(1)
    assert (
        answer.text
        == en("qa.from_lecturer") + "\n\nAsk at the village shop; they show every match."
    )
    assert answer.inline_buttons() == []  # answered at once: nothing to pass on

    # A trainee cannot reach the lecturer's list.
    await ben.send_text("/answers")
    (denied,) = await ben.wait_messages(1)
    assert denied.text == en("access.denied")

    await li.send_text("/answers")
    (listed,) = await li.wait_messages(1)
    assert "1. [English] Who won the football match last night?" in listed.text
    await li.press("1. Who won the football match last night?"[:40], listed)  # cut
    (shown,) = await li.wait_messages(1)
    await li.press(en("answers.edit"), shown)
    await li.wait_messages(1)
    await li.send_text("It was 2 to 1 for the village team.")
    (edited,) = await li.wait_messages(1)
    assert edited.text == en("answers.edited")
    await ben.send_text("Who won the football match last night?")
    (again,) = await ben.wait_messages(1)
    assert again.text == en("qa.from_lecturer") + "\n\nIt was 2 to 1 for the village team."

    await li.press(en("answers.remove"), edited)
    (sure,) = await li.wait_messages(1)
    await li.press(en("answers.yes_remove"), sure)
    (removed,) = await li.wait_messages(1)
    assert removed.text == en("answers.removed")
    await ben.send_text("Who won the football match last night?")
    (declined,) = await ben.wait_messages(1)
    assert declined.text == en("qa.not_covered")


async def test_the_same_question_twice_proposes_keeping_the_answer(live_bot: LiveBot) -> None:
    fake = live_bot.fake
    li = fake.user(941, "Li", language_code="en")
    rosa = fake.user(942, "Rosa", language_code="es")
    luis = fake.user(943, "Luis", language_code="es")
    carmen = fake.user(944, "Carmen", language_code="es")
    await staffed_class(live_bot, li, rosa, luis, carmen)
    await pass_on(live_bot, rosa, "¿Quién ganó el partido de fútbol anoche?", es)
    second = await pass_on(live_bot, luis, "quien gano el partido de futbol de anoche", es)

    await li.send_text(f"/answer {second} Pregunte en la tienda del pueblo.")
    (proposal,) = await li.wait_messages(1)
    assert proposal.text == en("answers.propose", number=second, times=2)
    await li.press(en("answers.add"), proposal)
    await li.wait_messages(1)

    await carmen.send_text("¿Quién ganó el partido de fútbol de anoche?")
    (answer,) = await carmen.wait_messages(1)
    assert answer.text == es("qa.from_lecturer") + "\n\nPregunte en la tienda del pueblo."


async def test_with_an_llm_the_entry_goes_to_the_model_end_to_end(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    """With an LLM configured: the lecturer's entry answers its own question at once (no model
    call); a vaguer question gets the model, given the entry, and the answer says it is drawn
    from the lecturer's."""
    async with (
        FakeOpenAI() as llm,
        polling_bot(
            fake_telegram, database_url, llm_base_url=llm.base_url, llm_api_key="k", llm_timeout=2
        ) as live,
    ):
        li = fake_telegram.user(951, "Li", language_code="en")
        rosa = fake_telegram.user(952, "Rosa", language_code="es")
        luis = fake_telegram.user(953, "Luis", language_code="es")
        await staffed_class(live, li, rosa, luis)
        number = await pass_on(live, rosa, "¿Quién ganó el partido de fútbol anoche?", es)
        assert llm.chat_requests == []  # retrieval declined it: the model was not asked
        await li.send_text(f"/answer {number} Pregunte en la tienda del pueblo.")
        (sent,) = await li.wait_messages(1)
        await li.press(en("answers.add"), sent)
        await li.wait_messages(1)

        await luis.send_text("quien gano el partido de futbol anoche")
        (exact,) = await luis.wait_messages(1)
        assert exact.text == es("qa.from_lecturer") + "\n\nPregunte en la tienda del pueblo."
        assert llm.chat_requests == []

        llm.reply("Pregunte en la tienda del pueblo [lecturer-1].")
        await luis.send_text("¿y quién ganó?")
        (drawn,) = await luis.wait_messages(1)
        assert drawn.text == es("qa.with_lecturer") + "\n\nPregunte en la tienda del pueblo."
        [request] = llm.chat_requests
        user = request["messages"][1]["content"]
        assert "lecturer's answer: [lecturer-1]" in user
        assert "Pregunte en la tienda del pueblo." in user
