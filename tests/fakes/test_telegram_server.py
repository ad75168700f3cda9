"""Tests of the fake Telegram Bot API server, driven by a real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from .telegram_server import FakeTelegram

pytestmark = pytest.mark.asyncio

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Yes", callback_data="answer:yes")],
        [InlineKeyboardButton(text="No", callback_data="answer:no")],
    ]
)


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    return Bot(token or fake.token, session=session)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest_asyncio.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    client = make_bot(fake)
    yield client
    await client.session.close()


async def test_get_me_wrong_token_and_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "academy_test_bot")

    intruder = make_bot(fake, token="999:wrong")
    with pytest.raises(TelegramUnauthorizedError):
        await intruder.get_me()
    await intruder.session.close()

    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{fake.base_url}/bot{fake.token}/sendTelepathy") as response,
    ):
        assert response.status == 404
        assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert [(r.method, r.status) for r in fake.requests] == [
        ("getMe", 200),
        ("getMe", 401),
        ("sendTelepathy", 404),
    ]


async def test_params_from_query_json_and_form(fake: FakeTelegram) -> None:
    fake.user(7)
    base = f"{fake.base_url}/bot{fake.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.get(base, params={"chat_id": "7", "text": "123"}) as response:
            assert response.status == 200
        markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
        payload = {"chat_id": 7, "text": "json", "reply_markup": markup}
        async with http.post(base, json=payload) as response:
            assert (await response.json())["result"]["reply_markup"] == markup
        async with http.post(base, data={"chat_id": "7", "text": "true"}) as response:
            assert response.status == 200
    first, second, third = fake.messages(7)
    assert first.text == "123" and third.text == "true"  # text is never JSON-decoded
    assert second.inline_buttons() == [[{"text": "Go", "callback_data": "go"}]]
    assert [r.chat_id for r in fake.requests] == [7, 7, 7]


async def test_send_edit_and_not_modified(fake: FakeTelegram, bot: Bot) -> None:
    ana = fake.user(42)
    sent = await bot.send_message(42, "Pick one", reply_markup=KEYBOARD)
    assert sent.chat.id == 42 and sent.from_user is not None and sent.from_user.is_bot
    [msg] = await ana.wait_messages()
    assert msg.text == "Pick one" and msg.kind == "text"
    assert [[b["text"] for b in row] for row in msg.inline_buttons()] == [["Yes"], ["No"]]

    await bot.edit_message_text("Picked", chat_id=42, message_id=sent.message_id)
    assert msg.text == "Picked" and msg.edits == 1 and msg.inline_buttons() == []
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("Picked", chat_id=42, message_id=sent.message_id)
    await bot.edit_message_reply_markup(
        chat_id=42, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert msg.edits == 2 and len(msg.inline_buttons()) == 2
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=999)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(1000, "nobody here")

    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Help")]])
    await bot.send_message(42, "menu", reply_markup=keyboard)
    assert ana.last_message().reply_keyboard() == [["Help"]]
    assert fake.messages(42) == [msg, ana.last_message()]


async def test_text_validation_like_telegram(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(5)
    await bot.send_message(5, "<b>bold</b> &lt;3 <a href='https://x.org'>x</a>", parse_mode="HTML")
    await bot.send_message(
        5, r"*Hi* you\. \(1\+1\) [l](https://x.org/a.b)", parse_mode="MarkdownV2"
    )
    bad = [
        ("line<br>break", "HTML", "Unsupported start tag"),
        ("<b>open", "HTML", "Can't find end tag"),
        ("1 < 2", "HTML", "Unsupported start tag"),
        ("Hello.", "MarkdownV2", "reserved"),
        ("*bold", "MarkdownV2", "Can't find end of Bold"),
        ("x" * 4097, None, "message is too long"),
        (" ", None, "message text is empty"),
    ]
    for text, mode, error in bad:
        with pytest.raises(TelegramBadRequest, match=error):
            await bot.send_message(5, text, parse_mode=mode)
    too_long = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(5, "buttons", reply_markup=too_long)
    assert len(fake.messages(5)) == 2


async def test_get_updates_offset_and_long_poll(fake: FakeTelegram, bot: Bot) -> None:
    ana = fake.user(42, username="ana")
    message_id = await ana.send_text("/start@academy_test_bot hello")
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.message_id == message_id
    assert update.message.text == "/start@academy_test_bot hello"
    assert update.message.entities is not None
    assert (update.message.entities[0].type, update.message.entities[0].length) == (
        "bot_command",
        23,
    )
    assert update.message.from_user is not None and update.message.from_user.username == "ana"
    assert len(await bot.get_updates(timeout=0)) == 1  # not confirmed yet
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []
    assert fake.pending_updates == []

    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(offset=update.update_id + 1, timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await ana.send_text("plain")
    [later] = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 2
    assert later.message is not None and later.message.entities is None

    started = time.monotonic()
    async with (
        aiohttp.ClientSession() as http,
        http.get(
            f"{fake.base_url}/bot{fake.token}/getUpdates",
            params={"offset": str(later.update_id + 1), "timeout": "0.2"},
        ) as response,
    ):
        assert (await response.json())["result"] == []
    assert 0.15 < time.monotonic() - started < 2


async def test_concurrent_get_updates_conflict(fake: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await asyncio.wait_for(first, 2)
    await fake.user(1).send_text("hi")
    assert len(await asyncio.wait_for(second, 2)) == 1


async def test_uploads_file_ids_and_downloads(fake: FakeTelegram, bot: Bot) -> None:
    ana = fake.user(42)
    photo = await bot.send_photo(
        42,
        BufferedInputFile(b"\xff\xd8jpeg-bytes", filename="farm.jpg"),
        caption="Your stall",
        reply_markup=KEYBOARD,
    )
    document = await bot.send_document(42, BufferedInputFile(b"%PDF-1.4", filename="guide.pdf"))
    assert photo.photo is not None and photo.caption == "Your stall"
    assert document.document is not None and document.document.file_name == "guide.pdf"
    again = await bot.send_photo(42, photo.photo[-1].file_id)
    sent_photo, sent_doc, sent_again = await ana.wait_messages(3)
    assert (sent_photo.kind, sent_photo.file_name, sent_photo.file_bytes) == (
        "photo",
        "farm.jpg",
        b"\xff\xd8jpeg-bytes",
    )
    assert sent_photo.text == "Your stall" and len(sent_photo.inline_buttons()) == 2
    assert (sent_doc.kind, sent_doc.file_bytes) == ("document", b"%PDF-1.4")
    assert (sent_again.file_name, sent_again.file_bytes, sent_again.file_id) == (
        None,
        None,
        photo.photo[-1].file_id,
    )
    assert again.photo is not None
    downloaded = await bot.download(document.document.file_id)
    assert downloaded is not None and downloaded.read() == b"%PDF-1.4"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(42, "no-such-file-id")


async def test_user_media_updates_and_get_file(fake: FakeTelegram, bot: Bot) -> None:
    ana = fake.user(42)
    await ana.send_voice(duration=7)
    await ana.send_photo()
    await ana.send_sticker()
    voice_update, photo_update, sticker_update = await bot.get_updates(timeout=0)
    voice = voice_update.message.voice if voice_update.message else None
    assert voice is not None and voice.duration == 7
    file = await bot.get_file(voice.file_id)
    assert file.file_path is not None and file.file_path.endswith(".oga")
    content = await bot.download_file(file.file_path)
    assert content is not None and content.read().startswith(b"OggS")
    assert photo_update.message is not None and photo_update.message.photo
    assert sticker_update.message is not None and sticker_update.message.sticker is not None
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_press_buttons_and_answer_callbacks(fake: FakeTelegram, bot: Bot) -> None:
    ana, ben = fake.user(42), fake.user(43, first_name="Ben")
    sent = await bot.send_message(42, "Ready?", reply_markup=KEYBOARD)
    await ana.press("Yes")
    await ana.press("answer:no")
    with pytest.raises(AssertionError, match=r"'Yes' \(data='answer:yes'\)"):
        await ana.press("Maybe")
    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        await ben.press("Yes")
    yes, no = await bot.get_updates(timeout=0)
    query = yes.callback_query
    assert query is not None and query.data == "answer:yes" and query.from_user.id == 42
    assert query.chat_instance and no.callback_query and no.callback_query.data == "answer:no"
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Saved")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    assert [p["text"] for p in ana.answered_callbacks] == ["Saved"]
    assert ben.answered_callbacks == []

    await ana.reply_to(ana.last_message(), "my answer")
    [*_, reply_update] = await bot.get_updates(timeout=0)
    assert reply_update.message is not None and reply_update.message.reply_to_message is not None
    assert reply_update.message.reply_to_message.text == "Ready?"


async def test_fail_next_and_block(fake: FakeTelegram, bot: Bot) -> None:
    fake.user(1)
    fake.user(2)
    fake.fail_next("sendMessage", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1, "a")
    assert caught.value.retry_after == 3
    assert "retry after 3" in caught.value.message
    await bot.send_message(1, "a")

    fake.fail_next("sendmessage", status=500, chat_id=2, times=2)
    await bot.send_message(1, "other chat is unaffected")
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.send_message(2, "b")
    await bot.send_message(2, "b")
    fake.fail_next("sendMessage", status=400, description="Bad Request: custom")
    with pytest.raises(TelegramBadRequest, match="custom"):
        await bot.send_message(2, "c")
    assert fake.too_many_requests == 1
    assert [r.status for r in fake.requests] == [429, 200, 200, 500, 500, 200, 400]

    fake.block(2)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(2, "hello?")
    with pytest.raises(TelegramForbiddenError):
        await bot.edit_message_text("x", chat_id=2, message_id=1)
    await bot.send_message(1, "still fine")


async def test_rate_limits(fake: FakeTelegram, bot: Bot) -> None:
    now = [100.0]
    fake.clock = lambda: now[0]
    for user_id in (1, 2, 3):
        fake.user(user_id)
    fake.set_rate_limits(global_per_second=2, per_chat_per_second=1)
    await bot.send_message(1, "one")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1, "two")  # per-chat limit
    assert caught.value.retry_after == 1
    await bot.send_chat_action(1, "typing")  # not a message
    await bot.send_message(2, "other chat")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(3, "third in a second")  # global limit
    now[0] += 1.01
    await bot.send_message(1, "two")
    await bot.send_message(3, "three")
    assert fake.too_many_requests == 2
    fake.set_rate_limits()
    for _ in range(5):
        await bot.send_message(1, "unlimited")


async def test_commands_and_webhook_settings(fake: FakeTelegram, bot: Bot) -> None:
    commands = [BotCommand(command="start", description="Start learning")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(
        [BotCommand(command="start", description="Empezar")], language_code="es"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert fake.my_commands(language_code="es") == [{"command": "start", "description": "Empezar"}]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])

    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    assert (fake.webhook_url, fake.webhook_secret) == ("http://127.0.0.1:9/hook", "s3cret")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert fake.webhook_url is None and await bot.get_updates(timeout=0) == []
    assert await bot.log_out() and await bot.close()


async def test_wait_messages_times_out_with_details(fake: FakeTelegram, bot: Bot) -> None:
    ana = fake.user(42)
    await bot.send_message(42, "only one")
    with pytest.raises(AssertionError, match=r"got 1: \[\"text: 'only one'\"\]"):
        await ana.wait_messages(2, timeout=0.1)
    fake.fail_next("sendMessage", status=403)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(42, "lost")
    with pytest.raises(AssertionError, match="sendMessage -> 403"):
        await ana.wait_messages(2, timeout=0.1)


def echo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> SendMessage | None:
        if message.text == "as reply":
            return message.answer("replied in the webhook response")
        await message.answer(f"echo: {message.text}")
        return None

    return dp


async def test_polling_echo_bot(fake: FakeTelegram, bot: Bot) -> None:
    dp = echo_dispatcher()
    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    ana = fake.user(42)
    await ana.send_text("hello")
    [reply] = await ana.wait_messages(timeout=5)
    assert reply.text == "echo: hello"
    await fake.user(43).send_text("bye")
    assert (await fake.user(43).wait_messages())[0].text == "echo: bye"

    started = time.monotonic()
    await dp.stop_polling()
    await asyncio.wait_for(polling, 3)
    assert time.monotonic() - started < 3
    polls = [r for r in fake.requests if r.method == "getUpdates"]
    assert polls and polls[0].params["allowed_updates"] == ["message"]


async def test_webhook_delivery(fake: FakeTelegram, bot: Bot) -> None:
    dp = echo_dispatcher()
    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token="hook-secret").register(app, "/hook")
    SimpleRequestHandler(dp, bot, handle_in_background=False).register(app, "/sync")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        await bot.set_webhook(f"{base}/hook", secret_token="hook-secret")
        ana = fake.user(42)
        await ana.send_text("via webhook")
        [reply] = await ana.wait_messages()
        assert reply.text == "echo: via webhook"
        assert fake.pending_updates == []

        update = {"message": ana.text_message("x")}
        assert await fake.post_update_to(f"{base}/hook", update, "wrong") == 401
        update = {"message": ana.text_message("as reply")}
        assert await fake.post_update_to(f"{base}/sync", update, None) == 200
        assert ana.last_message().text == "replied in the webhook response"
    finally:
        await runner.cleanup()
