"""Coordinators' statistics in the chat: summary, chart and spreadsheet in their language."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.config import LANGUAGES
from bot.db.models import LessonStatus
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.stats.labels import EXPORT_FIELDS, chart_labels, export_labels
from tests.conftest import Trainee, make_settings, migrated_runtime


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await migrated_runtime(make_settings(database_url, admin_ids="test:boss"))
    try:
        yield runtime
    finally:
        await runtime.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_chart_and_spreadsheet_word_is_translated(language: str) -> None:
    t = Translator(language)
    chart = chart_labels(t)
    words = [chart.title, chart.enrolled, chart.active_7d, chart.completion, chart.average]
    export = export_labels(t)
    words += [getattr(export, field) for field in EXPORT_FIELDS]
    words += [export.statuses[status] for status in LessonStatus]
    assert not [w for w in words if w.startswith("stats.")]  # a key means a missing string


async def coordinator_with_a_class(school: Runtime) -> Trainee:
    """The admin "boss" (Chinese) with one class, 平谷桃农: three trainees who opened a lesson."""
    boss = Trainee(school, "boss", "Boss", "zh")
    await boss.send("/newcohort 平谷桃农")
    code = boss.last[-1].text.split("：")[-1].split("（")[0].strip()
    for n in range(3):
        trainee = Trainee(school, f"t{n}", f"学员{n}", "zh")
        await trainee.send(f"/join {code}")
        await trainee.send("/lesson")
    return boss


async def test_a_coordinator_gets_the_summary_chart_and_spreadsheet(school: Runtime) -> None:
    boss = await coordinator_with_a_class(school)
    zh = Translator("zh")
    chart, per_cohort = await boss.send(zh("menu.stats"))
    assert chart.text.startswith("📈 ") and "3" in chart.text
    picture = Image.open(io.BytesIO(chart.image.read()))
    assert picture.format == "PNG" and picture.width >= 800
    assert [b.label for row in per_cohort.buttons for b in row] == ["👥 平谷桃农 · 3"]

    (one,) = await boss.press("👥 平谷桃农 · 3")
    assert one.text.startswith("📈 平谷桃农")
    (sheet,) = await boss.press(zh("stats.export"))
    book = load_workbook(io.BytesIO(sheet.document.read()))
    trainees = book[zh("stats.xlsx.trainees_sheet")]
    rows = list(trainees.iter_rows(values_only=True))
    assert rows[0][0] == zh("stats.xlsx.name")
    assert sorted(r[0] for r in rows[1:]) == ["学员0", "学员1", "学员2"]


async def test_statistics_before_anyone_joined(school: Runtime) -> None:
    boss = Trainee(school, "boss", "Boss", "en")
    assert (await boss.send("/stats"))[0].text == Translator("en")("stats.nobody")


async def test_the_summary_counts_questions_and_the_lessons_asked_about(school: Runtime) -> None:
    en = Translator("en")
    boss = Trainee(school, "boss", "Boss", "en")
    await boss.send("/newcohort Peach growers")
    code = boss.last[-1].text.split(":")[-1].split("(")[0].strip()
    assert (await boss.send("/stats"))[0].text.endswith(en("stats.no_questions"))

    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send(f"/join {code}")
    for question in (
        "Which product should I start with?",
        "Which product should I start selling first?",
        "How do I take photos that make buyers trust me?",
        "How do I repair the engine of my tractor?",
    ):
        await ana.send(question)
    await ana.press(en("qa.ask_lecturer"))  # the tractor goes to the lecturer, unanswered

    chart, _ = await boss.send("/stats")
    first, photos = "Choose one product to start with", "Take photos that make buyers trust you"
    questions = en("stats.questions", asked=4, unanswered="25%", waiting=1)
    assert chart.text.endswith(
        "\n".join(
            [
                questions,
                en("stats.topics_title"),
                en("stats.topic_line", lesson=first, count=2),
                en("stats.topic_line", lesson=photos, count=1),
                en("stats.not_covered_line", count=1),
            ]
        )
    )


async def test_the_chat_spreadsheet_shows_typed_names_as_text(school: Runtime) -> None:
    """A trainee's name with a formula or control characters: the coordinator still gets the
    spreadsheet, and the name in it is text, not a live formula."""
    boss = Trainee(school, "boss", "Boss", "en")
    await boss.send("/newcohort Peaches")
    code = boss.last[-1].text.split(": ")[-1].split(" ")[0].strip()
    for n, name in enumerate(['=HYPERLINK("http://x","click")', "Ana\x07\x1b"]):
        await Trainee(school, f"t{n}", name, "en").send(f"/join {code}")

    en = Translator("en")
    await boss.send(en("menu.stats"))
    await boss.press("👥 Peaches · 2")
    (sheet,) = await boss.press(en("stats.export"))
    assert sheet.document is not None
    book = load_workbook(io.BytesIO(sheet.document.read()))
    cells = [row[0] for row in book[en("stats.xlsx.trainees_sheet")].iter_rows(min_row=2)]
    assert [c.value for c in cells] == ['=HYPERLINK("http://x","click")', "Ana"]
    assert [c.data_type for c in cells] == ["s", "s"]


async def test_the_summary_shows_whatsapp_receipts_only_where_there_are_some(
    database_url: str,
) -> None:
    """Delivered and read of the messages that report receipts, and who has not been reached
    for UNREACHABLE_AFTER_DAYS (here 2); a Telegram-only class shows no such line."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import select

    from bot.db.models import MessageReceipt, Person

    settings = make_settings(database_url, admin_ids="test:boss", unreachable_after_days=2)
    school = await migrated_runtime(settings)
    try:
        boss = await coordinator_with_a_class(school)
        zh = Translator("zh")
        chart, _ = await boss.send("/stats")
        assert "📬" not in chart.text and "📵" not in chart.text
        now = datetime.now(UTC)
        async with school.sessions() as session:
            found = await session.exec(select(Person).where(Person.display_name.startswith("学员")))
            for n, person in enumerate(sorted(found, key=lambda p: p.display_name)):
                sent = now - timedelta(days=3)
                arrived = sent if n == 0 else None  # 学员0 had it; 学员1 and 学员2 did not
                session.add(
                    MessageReceipt(
                        channel="whatsapp",
                        message_ref=f"wamid.{n}",
                        person_id=person.id,
                        sent_at=sent,
                        delivered_at=arrived,
                        read_at=arrived,
                        status="read" if arrived else "sent",
                    )
                )
            await session.commit()
        chart, _ = await boss.send("/stats")
        reach = zh(
            "stats.reach",
            messages=3,
            delivered=1,
            delivered_share="33%",
            read=1,
            read_share="33%",
        )
        assert f"{reach}\n{zh('stats.unreachable', days=2, count=2)}\n\n" in chart.text
        (sheet,) = await boss.press(zh("stats.export"))
        book = load_workbook(io.BytesIO(sheet.document.read()))
        header = next(book[zh("stats.xlsx.trainees_sheet")].iter_rows(values_only=True))
        assert header[-4:] == tuple(
            zh(f"stats.xlsx.{f}") for f in ("messages", "delivered", "read", "unreachable")
        )
    finally:
        await school.close()
