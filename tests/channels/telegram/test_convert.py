"""Reply -> Bot API calls, against the fake server: photos, documents, long text, refused edits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from bot.channels.telegram.app import make_bot
from bot.channels.telegram.convert import TEXT_LIMIT, send_reply, split_text
from bot.core.messages import Attachment, Button, Reply
from tests.conftest import make_settings
from tests.fakes.telegram_server import FakeTelegram

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    settings = make_settings(  # only a Bot is made: no database is opened
        "sqlite+aiosqlite:///:memory:",
        bot_token=fake_telegram.token,
        telegram_api_url=fake_telegram.base_url,
    )
    instance = make_bot(settings)
    yield instance
    await instance.session.close()


async def test_an_image_goes_as_a_photo_with_its_caption_and_buttons(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    ana = fake_telegram.user(701)
    reply = Reply(
        "A peach next to a coin",
        buttons=((Button("Next ▶", "card:1"),),),
        image=Attachment("peach.png", data=PNG),
    )
    await send_reply(bot, ana.id, reply, None)
    (photo,) = fake_telegram.messages(ana.id)
    assert (photo.kind, photo.text) == ("photo", "A peach next to a coin")
    assert photo.file_bytes == PNG
    assert photo.inline_buttons()[0][0]["callback_data"] == "card:1"


async def test_a_document_and_a_caption_too_long_for_telegram(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    ana = fake_telegram.user(702)
    long_text = "x" * 1500
    await send_reply(bot, ana.id, Reply(long_text, document=Attachment("r.csv", data=b"a,b")), None)
    document, text = fake_telegram.messages(ana.id)
    assert (document.kind, document.file_name, document.text) == ("document", "r.csv", None)
    assert text.text == long_text


async def test_long_text_is_split_at_line_breaks_and_the_menu_rides_on_the_last_piece(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    ana = fake_telegram.user(703)
    paragraph = "peach " * 100 + "\n"
    text = paragraph * 12  # about 7,200 characters
    await send_reply(bot, ana.id, Reply(text, menu=(("❓ Help",),)), None)
    pieces = fake_telegram.messages(ana.id)
    assert len(pieces) == 2 and all(len(p.text or "") <= TEXT_LIMIT for p in pieces)
    assert "".join(p.text or "" for p in pieces).replace("\n", "") == text.replace("\n", "")
    assert pieces[0].reply_keyboard() == [] and pieces[1].reply_keyboard() == [["❓ Help"]]


async def test_an_edit_of_a_missing_message_becomes_a_new_message(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    ana = fake_telegram.user(704)
    await send_reply(bot, ana.id, Reply("Updated", edit=True), edit_message_id=999)
    (message,) = fake_telegram.messages(ana.id)
    assert message.text == "Updated" and message.edits == 0


def test_split_text_never_loses_characters() -> None:
    text = "a" * 10_000
    assert "".join(split_text(text)) == text
    assert [len(p) for p in split_text(text)] == [4096, 4096, 1808]
