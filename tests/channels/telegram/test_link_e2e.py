"""One person on two channels end to end: lessons on Telegram (the real bot against the fake Bot
API), then the code from ❓ Help → 📱 typed into the console chat (the real `academy chat` on the
same database), which goes on at the same card."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.i18n import Translator
from tests.channels.telegram.conftest import LiveBot
from tests.channels.test_console import academy

es = Translator("es")
CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b")


async def test_lessons_begun_on_telegram_go_on_in_the_console(
    live_bot: LiveBot, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    ana = live_bot.fake.user(601, "Ana", language_code="es")
    await ana.send_text("/start")
    (welcome,) = await ana.wait_messages(1)
    await ana.press(es("start.lesson", number=1), welcome)
    _, first = await ana.wait_messages(2)
    await ana.press(es("lesson.next"), first)
    (second,) = await ana.wait_messages(1)
    assert second.text != first.text
    await ana.send_text(es("menu.help"))
    (help_text,) = await ana.wait_messages(1)
    await ana.press(es("help.link"), help_text)
    (with_code,) = await ana.wait_messages(1)
    found = CODE.search(with_code.text)
    assert found is not None, with_code.text
    # The console's person types the code as read off the phone, then asks for the lesson.
    typed = found.group(0).lower()
    chat = await asyncio.to_thread(
        academy,
        tmp_path,
        "chat",
        "--user",
        "ana-laptop",
        "--lang",
        "es",
        stdin=f"{typed}\n{es('menu.lesson')}\n",
        sample=True,
    )
    assert chat.returncode == 0, chat.stderr
    assert es("link.linked") in chat.stdout
    # The card she was on in Telegram, now in the console (its text, as the console prints it).
    card_start = second.text.split("\n")[0]
    assert card_start in chat.stdout.split(es("link.linked"), 1)[1]
