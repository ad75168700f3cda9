"""What Telegram shows around the chat, over real HTTP against the fake Bot API: the bot's
description per language, staff commands in staff chats only, the text field's hint."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import KeyboardButton, ReplyKeyboardMarkup
from sqlmodel import select

from bot.channels.telegram.convert import placeholder_for
from bot.channels.telegram.menus import STAFF_COMMANDS
from bot.config import LANGUAGES
from bot.db.engine import make_engine, make_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Person, Role
from bot.handlers import COMMANDS
from bot.i18n import Translator
from tests.channels.telegram.conftest import LiveBot, running_bot
from tests.conftest import make_settings
from tests.fakes.telegram_server import FakeTelegram

es, zh = Translator("es"), Translator("zh")


async def test_the_description_a_new_trainee_reads_is_in_every_language(
    live_bot: LiveBot,
) -> None:
    told = live_bot.fake.descriptions
    for language in LANGUAGES:
        t = Translator(language)
        assert told[("description", language)] == t("profile.description")
        assert told[("short_description", language)] == t("profile.short_description")
    # A client in another language gets the default language's (English in the tests).
    assert told[("description", "")] == Translator("en")("profile.description")
    assert all(len(text) <= 120 for (kind, _), text in told.items() if kind == "short_description")


async def test_the_fake_refuses_what_telegram_refuses(live_bot: LiveBot) -> None:
    with pytest.raises(TelegramBadRequest):
        await live_bot.bot.set_my_description(description="x" * 513)
    with pytest.raises(TelegramBadRequest):
        await live_bot.bot.set_my_short_description(short_description="x" * 121)
    too_long = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="a")]], input_field_placeholder="x" * 65
    )
    ana = live_bot.fake.user(930, "Ana")
    with pytest.raises(TelegramBadRequest):
        await live_bot.bot.send_message(ana.id, "hi", reply_markup=too_long)


async def test_the_menu_keyboard_hints_that_questions_can_be_typed(live_bot: LiveBot) -> None:
    ana = live_bot.fake.user(931, "Ana", language_code="es")
    await ana.send_text("/start")
    await ana.wait_messages(1)
    await ana.press(es("start.lesson", number=1))
    intro, _card = await ana.wait_messages(2)
    assert intro.reply_keyboard()
    assert (intro.reply_markup or {})["input_field_placeholder"] == es("menu.placeholder")


def test_the_hint_follows_the_menu_language_and_fits_telegram() -> None:
    menu = ((zh("menu.lesson"), zh("menu.progress")), (zh("menu.review", count=3),))
    assert placeholder_for(menu) == zh("menu.placeholder")
    assert placeholder_for((("🤷",),)) is None
    for language in LANGUAGES:
        assert 1 <= len(Translator(language)("menu.placeholder")) <= 64


def scope(chat_id: int) -> dict[str, object]:
    return {"type": "chat", "chat_id": chat_id}


async def test_staff_see_their_commands_in_their_own_chat_only(
    fake_telegram: FakeTelegram, database_url: str
) -> None:
    settings = make_settings(
        database_url, bot_token=fake_telegram.token, telegram_api_url=fake_telegram.base_url
    )
    engine = make_engine(settings)
    await upgrade(engine)
    async with make_sessionmaker(engine)() as session:
        for user, role, language in (("941", "lecturer", "es"), ("942", "coordinator", "zh")):
            session.add(
                Person(channel="telegram", channel_user_id=user, role=role, language=language)
            )
        session.add(Person(channel="telegram", channel_user_id="943", language="en"))
        await session.commit()
    await engine.dispose()

    async with running_bot(fake_telegram, settings) as live:
        lecturer = fake_telegram.my_commands(scope(941))
        staff = [name for name, _ in STAFF_COMMANDS[Role.lecturer]]
        assert [c["command"] for c in lecturer] == [name for name, _ in COMMANDS] + staff
        assert lecturer[-1]["description"] == es("command.answers")  # in their language
        coordinator = [c["command"] for c in fake_telegram.my_commands(scope(942))]
        assert "stats" in coordinator and "invite_coordinator" not in coordinator
        assert fake_telegram.my_commands(scope(943)) == []  # a trainee: everyone's menu
        everyone = [c["command"] for c in fake_telegram.my_commands(language_code="es")]
        assert "stats" not in everyone and "newcohort" not in everyone

        async with live.runtime.sessions() as session:
            people = {
                p.channel_user_id: p
                for p in await session.exec(select(Person).where(Person.channel == "telegram"))
            }
            people["941"].role = Role.trainee.value  # demoted
            people["943"].role = Role.lecturer.value  # promoted
            await session.commit()
        await live.channel.sync_staff_menus()  # what the runtime runs every minute
        assert fake_telegram.my_commands(scope(941)) == []
        assert [c["command"] for c in fake_telegram.my_commands(scope(943))][-1] == "answers"
        calls = len(fake_telegram.requests)
        await live.channel.sync_staff_menus()
        await asyncio.sleep(0)
        assert len(fake_telegram.requests) == calls  # nothing changed: nothing sent
