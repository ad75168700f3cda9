"""A course workbook through the chat, on a real database: checked, previewed, published once,
refused with the reason; bad files answered; /course sends the workbook."""

from __future__ import annotations

import asyncio
import shutil
import zipfile
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.core.messages import Incoming, Kind, Reply
from bot.handlers.course_sheet import SHOWN_ERRORS
from bot.i18n import Translator
from bot.lessons.staging import staging_root
from bot.lessons.versions import versions
from bot.lessons.workbook import MAX_BYTES, export_course, import_workbook
from bot.pipeline.router import Offers
from bot.runtime import Runtime
from tests.conftest import SAMPLE_CONTENT, FixedClock, Trainee, make_settings, migrated_runtime
from tests.handlers.test_cohorts import make_lecturer

en = Translator("en")


class Files:
    """The channel's files by reference, and which were downloaded."""

    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}
        self.fetched: list[str] = []

    def add(self, data: bytes) -> str:
        ref = f"file-{len(self.stored)}"
        self.stored[ref] = data
        return ref

    async def fetch(self, ref: str) -> bytes:
        self.fetched.append(ref)
        return self.stored[ref]


@pytest.fixture
async def academy(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Runtime, Files]]:
    """A running bot on a copy of the sample course, whose `test` channel takes documents."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    settings = make_settings(database_url, content_dir=content, admin_ids="test:boss")
    runtime = await migrated_runtime(settings)
    runtime.academy.services.clock = FixedClock()
    files = Files()
    runtime.academy.services.offers["test"] = Offers(
        fetch_file=files.fetch, receives_documents=True
    )
    try:
        yield runtime, files
    finally:
        await runtime.close()


def sample_book(change: Callable[[Workbook], object] | None = None) -> bytes:
    """The sample course's workbook, edited by `change` as a lecturer would."""
    book = load_workbook(BytesIO(export_course(SAMPLE_CONTENT / "courses" / "sample", "en")))
    if change is not None:
        change(book)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def new_course(course_id: str = "my-peaches", card: str = "") -> Callable[[Workbook], None]:
    """The sample under a new id, without images (a new course has no media/ folder); `card`
    replaces the English text of good-photos' first card."""

    def change(book: Workbook) -> None:
        book["Course"]["C2"] = course_id
        for row in book["Cards"].iter_rows(min_row=2):
            row[4].value = row[5].value = None
            key = (row[0].value, row[1].value, row[2].value)
            if card and key == ("good-photos", 1, "en"):
                row[3].value = card

    return change


async def send_file(
    person: Trainee, files: Files, data: bytes, *, size: int | None = None
) -> list[Reply]:
    ref = files.add(data)
    incoming = Incoming(
        person.sender,
        Kind.document,
        file_ref=ref,
        file_name="course.xlsx",
        file_size=len(data) if size is None else size,
    )
    return await person._handle(incoming)


def buttons(replies: list[Reply]) -> list[str]:
    return [button.label for reply in replies for row in reply.buttons for button in row]


async def test_a_lecturer_checks_previews_and_publishes_a_new_course_once(
    academy: tuple[Runtime, Files],
) -> None:
    runtime, files = academy
    lecturer = await make_lecturer(runtime, "lec", "Li Na")
    card = "Photograph the peaches by a window in the morning light."
    report, preview = await send_file(lecturer, files, sample_book(new_course(card=card)))
    ok, warned = report.text.splitlines()
    assert ok == en("sheet.ok", course="my-peaches")
    # The sample's cards are long for WeChat templates...: counted, and listed in the file.
    count = int(warned.split()[1])
    assert warned == en("sheet.warnings", count=count) and report.document is not None
    assert len(report.document.read().decode().splitlines()) == 1 + count
    # The preview is the first lesson that differs from the course served: here a new course,
    # so its first lesson; the card as a trainee sees it.
    assert preview.text.startswith(en("sheet.preview"))
    assert "📖 Lesson 1/2" in preview.text and "Choose one product" in preview.text
    assert buttons([preview]) == [en("sheet.publish"), en("sheet.cancel")]
    assert [p.name for p in staging_root(runtime.settings).iterdir()] != []

    await lecturer.press(en("sheet.publish"))
    title = "Try it: sell peaches online"
    assert lecturer.texts == [en("sheet.published", course=title, version=1)]
    services = runtime.academy.services
    assert services.courses["my-peaches"].lesson("good-photos", "en").cards[0].text == card
    assert (versions(runtime.settings, "my-peaches")[0].author or 0).name == "Li Na"

    # A second tap on the same button publishes nothing.
    lecturer.last = [preview]
    await lecturer.press(en("sheet.publish"))
    assert lecturer.texts == [en("sheet.gone")]
    assert len(versions(runtime.settings, "my-peaches")) == 1

    # The next upload previews the lesson that changed: the second.
    again = sample_book(new_course(card="Take the photos outside, in the shade."))
    _, preview = await send_file(lecturer, files, again)
    assert "📖 Lesson 2/2" in preview.text and "outside, in the shade" in preview.text


async def test_two_taps_at_once_publish_once(academy: tuple[Runtime, Files]) -> None:
    runtime, files = academy
    lecturer = await make_lecturer(runtime, "lec", "Li Na")
    await send_file(lecturer, files, sample_book(new_course()))
    payload = lecturer.button(en("sheet.publish")).payload
    first, second = await asyncio.gather(
        lecturer._handle(Incoming.button(lecturer.sender, payload)),
        lecturer._handle(Incoming.button(lecturer.sender, payload)),
    )
    texts = sorted(reply.text for reply in (*first, *second))
    title = "Try it: sell peaches online"
    assert texts == sorted([en("sheet.gone"), en("sheet.published", course=title, version=1)])
    assert len(versions(runtime.settings, "my-peaches")) == 1


async def test_cancel_forgets_the_workbook(academy: tuple[Runtime, Files]) -> None:
    runtime, files = academy
    lecturer = await make_lecturer(runtime, "lec", "Li Na")
    _, preview = await send_file(lecturer, files, sample_book(new_course()))
    await lecturer.press(en("sheet.cancel"))
    assert lecturer.texts == [en("sheet.cancelled")]
    lecturer.last = [preview]
    await lecturer.press(en("sheet.publish"))
    assert lecturer.texts == [en("sheet.gone")]
    assert "my-peaches" not in runtime.academy.services.courses
    assert versions(runtime.settings, "my-peaches") == []


async def test_a_workbook_waits_a_day_at_most(academy: tuple[Runtime, Files]) -> None:
    runtime, files = academy
    clock = runtime.academy.services.clock
    assert isinstance(clock, FixedClock)
    lecturer = await make_lecturer(runtime, "lec", "Li Na")
    ben = await make_lecturer(runtime, "ben", "Ben")
    _, old = await send_file(lecturer, files, sample_book(new_course()))
    clock.now += timedelta(days=1, minutes=1)
    await send_file(ben, files, sample_book(new_course("ben-honey")))  # prunes the old one
    lecturer.last = [old]
    await lecturer.press(en("sheet.publish"))
    assert lecturer.texts == [en("sheet.gone")]


async def test_errors_are_counted_the_first_named_and_all_in_a_file(
    academy: tuple[Runtime, Files],
) -> None:
    runtime, files = academy
    lecturer = await make_lecturer(runtime, "lec", "Li Na")

    def broken(book: Workbook) -> None:
        new_course()(book)
        for row in range(2, 8):
            book["Quiz"][f"I{row}"] = 9

    (report,) = await send_file(lecturer, files, sample_book(broken))
    lines = report.text.splitlines()
    count = int(lines[0].split()[4])
    assert count >= 6 and lines[0] == en("sheet.errors", count=count)
    assert lines[1].startswith("• Quiz!I2: the right answer is 9")
    assert len([line for line in lines if line.startswith("• ")]) == SHOWN_ERRORS
    assert lines[1 + SHOWN_ERRORS] == en("sheet.more_in_file", count=count - SHOWN_ERRORS)
    assert report.document is not None and report.buttons == ()
    listed = report.document.read().decode().splitlines()
    assert listed[0] == lines[0] and all(listed[1 : 1 + count]) and listed[1 + count] == ""
    assert len([line for line in listed if line.startswith("Quiz!I")]) == 6
    assert not staging_root(runtime.settings).exists()


async def test_bad_files_are_answered_and_a_huge_one_is_never_downloaded(
    academy: tuple[Runtime, Files],
) -> None:
    runtime, files = academy
    lecturer = await make_lecturer(runtime, "lec", "Li Na")
    (report,) = await send_file(lecturer, files, b"%PDF-1.4 not a workbook")
    assert report.text.splitlines()[1].startswith("• This is not an Excel workbook")
    book = sample_book()
    macros = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(book)) as source,
        zipfile.ZipFile(macros, "w") as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"macros")
    (report,) = await send_file(lecturer, files, macros.getvalue())
    assert "macro-enabled" in report.text and report.buttons == ()
    fetched = len(files.fetched)
    (report,) = await send_file(lecturer, files, b"", size=50 * 1024 * 1024)
    assert "50.0 MB" in report.text and str(MAX_BYTES // 1024 // 1024) in report.text
    assert len(files.fetched) == fetched  # refused on the size the channel reported


async def test_where_files_are_not_taken_a_lecturer_is_sent_to_the_web(
    academy: tuple[Runtime, Files],
) -> None:
    runtime, files = academy
    lecturer = await make_lecturer(runtime, "lec", "Li Na")
    runtime.academy.services.offers["test"] = Offers(fetch_file=files.fetch)
    (reply,) = await send_file(lecturer, files, sample_book(new_course()))
    assert reply.text == en("sheet.not_here") and files.fetched == []


async def test_a_trainee_sending_a_file_gets_the_usual_answer(
    academy: tuple[Runtime, Files],
) -> None:
    runtime, files = academy
    ana = Trainee(runtime, "ana", "Ana", "en")
    (reply,) = await send_file(ana, files, sample_book(new_course()))
    assert reply.text == en("error.unsupported")
    assert files.fetched == []


async def test_lecturers_may_not_publish_ours_or_each_others(
    academy: tuple[Runtime, Files],
) -> None:
    runtime, files = academy
    li = await make_lecturer(runtime, "lec", "Li Na")
    ben = await make_lecturer(runtime, "ben", "Ben")
    report, refused = await send_file(li, files, sample_book())
    assert report.text.startswith(en("sheet.ok", course="sample"))
    assert refused.text == en("sheet.refused.starter", course="sample") and not refused.buttons

    # Both upload the same new course; Li publishes first, so Ben's tap is refused.
    await send_file(ben, files, sample_book(new_course()))
    ben_preview = ben.last[-1]
    await send_file(li, files, sample_book(new_course()))
    await li.press(en("sheet.publish"))
    ben.last = [ben_preview]
    await ben.press(en("sheet.publish"))
    assert ben.texts == [en("sheet.refused.not_author", course="my-peaches")]
    (_, refused) = await send_file(ben, files, sample_book(new_course()))
    assert refused.text == en("sheet.refused.not_author", course="my-peaches")

    # Li's button is hers: Ben pressing it (a forwarded payload) publishes nothing.
    _, preview = await send_file(li, files, sample_book(new_course(card="Again.")))
    ben.last = [preview]
    await ben.press(en("sheet.publish"))
    assert ben.texts == [en("sheet.gone")]
    assert len(versions(runtime.settings, "my-peaches")) == 1


async def test_an_admin_publishes_ours_while_a_trainee_reads_it(
    academy: tuple[Runtime, Files],
) -> None:
    runtime, files = academy
    boss = Trainee(runtime, "boss", "Boss", "en")
    ana = Trainee(runtime, "ana", "Ana", "en")
    await ana.send(en("menu.lesson"))
    assert "Choose one product" in ana.texts[-1]

    def retold(book: Workbook) -> None:
        for row in book["Cards"].iter_rows(min_row=2):
            if (row[0].value, row[1].value, row[2].value) == ("first-steps", 2, "en"):
                row[3].value = "A phone with a camera is all you need to begin."

    _, preview = await send_file(boss, files, sample_book(retold))
    assert "Lesson 1/2" in preview.text
    await boss.press(en("sheet.publish"))
    assert boss.texts == [en("sheet.published", course="Try it: sell peaches online", version=2)]
    await ana.press(en("lesson.next"))
    assert "A phone with a camera is all you need" in ana.texts[0]


async def test_course_sends_the_workbook_of_the_class_course(
    academy: tuple[Runtime, Files],
) -> None:
    runtime, _ = academy
    lecturer = await make_lecturer(runtime, "lec", "Li Na")
    (reply,) = await lecturer.send("/course")
    assert reply.text == en("sheet.workbook", course="Try it: sell peaches online")
    assert reply.document is not None and reply.document.filename == "sample.xlsx"
    result = import_workbook(reply.document.read(), "en", media=["peach.png"])
    assert result.ok and result.course_id == "sample"
    (reply,) = await lecturer.send("/course nothing")
    assert reply.text == en("sheet.unknown_course", course="nothing", courses="sample")
    ana = Trainee(runtime, "ana", "Ana", "en")
    assert (await ana.send("/course"))[0].text == en("access.denied")
    # Where people cannot send files, the workbook says to upload it on the web page.
    runtime.academy.services.offers["test"] = Offers()
    (reply,) = await lecturer.send("/course")
    assert reply.text == en("sheet.workbook_web", course="Try it: sell peaches online")
