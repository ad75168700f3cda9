"""A course workbook on Telegram: the lecturer sends the file, the bot downloads it (getFile),
reports, previews and publishes on the tap; a file over the cap is never downloaded."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlmodel import select

from bot.db.models import Person, Role
from bot.i18n import Translator
from bot.lessons.versions import versions
from tests.channels.telegram.conftest import LiveBot, polling_bot
from tests.conftest import SAMPLE_CONTENT
from tests.fakes.telegram_server import FakeTelegram
from tests.handlers.test_course_sheet import new_course, sample_book

en = Translator("en")


async def make_lecturer(live: LiveBot, user_id: int) -> None:
    async with live.runtime.sessions() as session:
        person = (
            await session.exec(select(Person).where(Person.channel_user_id == str(user_id)))
        ).one()
        person.role = Role.lecturer
        session.add(person)
        await session.commit()


async def test_a_lecturer_publishes_a_workbook_sent_as_a_document(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    async with polling_bot(
        fake_telegram,
        database_url,
        content_dir=content,
        send_rate_per_chat=100.0,
        send_burst_per_chat=100,
    ) as live:
        li = fake_telegram.user(931, "Li", language_code="en")
        await li.send_text("/start")
        await li.wait_messages(1)
        await make_lecturer(live, 931)

        await li.send_text("/course")
        (workbook,) = await li.wait_messages(1)
        assert workbook.kind == "document" and workbook.file_name == "sample.xlsx"
        assert workbook.text == en("sheet.workbook", course="Try it: sell peaches online")

        # Over the cap by what Telegram says of it: refused, never fetched.
        await li.send_document(b"PK", "huge.xlsx", file_size=50 * 1024 * 1024)
        (refused,) = await li.wait_messages(1)
        assert "50.0 MB" in (refused.text or "")
        assert not [r for r in fake_telegram.requests if r.method == "getFile"]

        await li.send_document(sample_book(new_course()), "peaches.xlsx")
        report, preview = await li.wait_messages(2)
        # The report is the caption of the file listing every warning.
        assert (report.text or "").startswith(en("sheet.ok", course="my-peaches"))
        assert report.kind == "document" and report.file_name == "workbook-report.txt"
        assert [r.method for r in fake_telegram.requests].count("getFile") == 1
        assert en("sheet.preview") in (preview.text or "")
        await li.press(en("sheet.publish"), preview)
        (published,) = await li.wait_messages(1)
        title = "Try it: sell peaches online"
        assert published.text == en("sheet.published", course=title, version=1)
        assert "my-peaches" in live.runtime.academy.services.courses
        assert len(versions(live.runtime.settings, "my-peaches")) == 1
