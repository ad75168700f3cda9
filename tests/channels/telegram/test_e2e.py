"""End to end over real HTTP: the real aiogram bot, our handlers and SQLite, a fake Bot API."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from bot.db.models import Person
from bot.handlers import COMMANDS
from bot.i18n import Translator
from tests.channels.telegram.conftest import LiveBot, polling_bot

zh, es, en = Translator("zh"), Translator("es"), Translator("en")


async def person(live: LiveBot, user_id: int) -> Person:
    async with live.runtime.sessions() as session:
        query = select(Person).where(Person.channel_user_id == str(user_id))
        return (await session.exec(query)).one()


async def test_start_and_language_choice(live_bot: LiveBot) -> None:
    ana = live_bot.fake.user(501, "Ana", language_code="zh-hans")
    await ana.send_text("/start")
    (welcome,) = await ana.wait_messages(1)  # one message, in the phone's language
    assert welcome.text == f"{zh('start.welcome', name='Ana')}\n\n{zh('start.other_language')}"
    assert [[b["text"] for b in row] for row in welcome.inline_buttons()] == [
        [zh("start.lesson", number=1)],
        ["Español", "English"],
    ]

    await ana.press("Español")  # the welcome itself turns Spanish
    for _ in range(100):  # an edit sends no new message; poll for it briefly
        if live_bot.fake.messages(ana.id)[0].edits:
            break
        await asyncio.sleep(0.05)
    (edited,) = live_bot.fake.messages(ana.id)
    assert edited.edits == 1 and edited.text.startswith(es("start.welcome", name="Ana"))
    assert len(ana.answered_callbacks) == 1  # the button's spinner was stopped
    stored = await person(live_bot, ana.id)
    assert (stored.language, stored.language_chosen, stored.channel) == ("es", True, "telegram")

    await ana.press(es("start.lesson", number=1), edited)
    intro, card = await ana.wait_messages(2)
    assert intro.reply_keyboard()[1] == [es("menu.help"), es("menu.language")]
    assert card.text.startswith("📖 ")

    await ana.send_text(es("menu.help"))  # a tap on the big menu button
    (help_text,) = await ana.wait_messages(1)
    assert help_text.text == es("help.text")


async def test_commands_are_published_in_every_language(live_bot: LiveBot) -> None:
    names = [c["command"] for c in live_bot.fake.my_commands(language_code="es")]
    assert names == [name for name, _ in COMMANDS]
    descriptions = [c["description"] for c in live_bot.fake.my_commands(language_code="zh")]
    assert descriptions[1] == zh("command.lesson")


async def test_a_handler_crash_apologises_and_everyone_else_is_served(
    live_bot: LiveBot, caplog
) -> None:
    async def crash(ctx):
        raise RuntimeError("handler exploded")

    live_bot.runtime.academy.router.commands["crash"] = crash
    ana = live_bot.fake.user(502, "Ana", language_code="es")
    ben = live_bot.fake.user(503, "Ben", language_code="en")
    await ana.send_text("/crash")
    await ben.send_text("/help")
    (apology,) = await ana.wait_messages(1)
    assert apology.text == es("error.internal")
    assert "handler exploded" in caplog.text
    (answer,) = await ben.wait_messages(1)
    assert answer.text == en("help.text")
    await ana.send_text("/help")
    assert (await ana.wait_messages(1))[0].text == es("help.text")


async def test_a_429_is_waited_out_and_the_message_arrives_once(live_bot: LiveBot) -> None:
    ana = live_bot.fake.user(504, "Ana")
    live_bot.fake.fail_next("sendMessage", status=429, retry_after=1, chat_id=ana.id)
    await ana.send_text("/help")
    (answer,) = await ana.wait_messages(1, timeout=8)
    assert answer.text == en("help.text")
    sends = [r for r in live_bot.fake.requests if r.method == "sendMessage" and r.chat_id == ana.id]
    assert [r.status for r in sends] == [429, 200]
    assert len(live_bot.fake.messages(ana.id)) == 1


async def test_a_403_marks_the_person_blocked_and_writing_again_unblocks(
    live_bot: LiveBot,
) -> None:
    ana = live_bot.fake.user(505, "Ana")
    await ana.send_text("/start")
    await ana.wait_messages(1)
    live_bot.fake.block(ana.id)
    await ana.send_text("/help")
    for _ in range(100):  # the 403 arrives asynchronously; poll the database briefly
        if (await person(live_bot, ana.id)).blocked:
            break
        await asyncio.sleep(0.05)
    assert (await person(live_bot, ana.id)).blocked is True
    live_bot.fake.unblock(ana.id)
    await ana.send_text("/help")
    await ana.wait_messages(1)
    assert (await person(live_bot, ana.id)).blocked is False


async def test_voice_stickers_and_long_text_get_friendly_replies(live_bot: LiveBot) -> None:
    ana = live_bot.fake.user(506, "Ana", language_code="zh")
    await ana.send_voice()
    assert (await ana.wait_messages(1))[0].text == zh("error.voice")
    await ana.send_sticker()
    assert (await ana.wait_messages(1))[0].text == zh("error.unsupported")
    limit = live_bot.runtime.settings.max_text_length
    await ana.send_text("桃" * (limit + 5))
    assert (await ana.wait_messages(1))[0].text == zh("error.too_long", limit=limit)


async def test_a_voice_question_is_transcribed_and_answered(
    fake_telegram, database_url: str
) -> None:
    """Telegram's file download and the provider's transcription, both over real HTTP."""
    from tests.fakes.openai_server import FakeOpenAI

    async with (
        FakeOpenAI() as llm,
        polling_bot(
            fake_telegram,
            database_url,
            llm_base_url=llm.base_url,
            llm_api_key="k",
            transcription_model="whisper-1",
        ),
    ):
        llm.transcribe_as("How do I use daylight by a window for my photos?")
        llm.reply("Take it by a window in daylight [good-photos].")
        ana = fake_telegram.user(777, "Ana", language_code="en")
        await ana.send_voice()
        (answer,) = await ana.wait_messages(1)
        assert answer.text == "Take it by a window in daylight."
        assert any(r.path.endswith("/audio/transcriptions") for r in llm.requests)


async def test_typing_shows_while_the_llm_answers(
    fake_telegram, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow LLM: "typing…" is sent at once and again every few seconds until the answer."""
    from bot.handlers import ask
    from tests.fakes.openai_server import FakeOpenAI

    monkeypatch.setattr(ask, "TYPING_EVERY", 0.3)
    async with (
        FakeOpenAI() as llm,
        polling_bot(fake_telegram, database_url, llm_base_url=llm.base_url, llm_api_key="k"),
    ):
        llm.delay_next(1.0)
        llm.reply("Take it by a window in daylight [good-photos].")
        ana = fake_telegram.user(778, "Ana", language_code="en")
        await ana.send_text("How do I use daylight by a window for my photos?")
        (answer,) = await ana.wait_messages(1)
        assert answer.text == "Take it by a window in daylight."
        actions = [
            r for r in fake_telegram.requests if r.method == "sendChatAction" and r.chat_id == 778
        ]
        assert len(actions) >= 3 and {r.params["action"] for r in actions} == {"typing"}
        sent = next(r for r in fake_telegram.requests if r.method == "sendMessage")
        assert actions[0].time < sent.time
        await asyncio.sleep(0.5)  # no more typing once the answer is out
        assert all(
            r.time <= sent.time + 0.05
            for r in fake_telegram.requests
            if r.method == "sendChatAction"
        )


async def test_a_reply_carries_the_quoted_text(live_bot: LiveBot) -> None:
    """Replying to the bot's message: the core sees the quoted text (lecturers answer this way)."""
    from aiogram.types import Message

    from bot.channels.telegram.convert import incoming_from_message

    ana = live_bot.fake.user(779, "Ana", language_code="en")
    await ana.send_text("/help")
    (helped,) = await ana.wait_messages(1)
    payload = ana.text_message("thanks")
    payload["reply_to_message"] = live_bot.fake._message_payload(helped)
    incoming = incoming_from_message(Message.model_validate(payload))
    assert incoming is not None and incoming.reply_to_text == helped.text
