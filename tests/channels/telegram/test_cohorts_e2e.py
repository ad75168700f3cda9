"""Classes on Telegram: a lecturer makes one, a trainee joins by its t.me link."""

from __future__ import annotations

from sqlmodel import select

from bot.db.models import Cohort, Person, Role
from bot.i18n import Translator
from tests.channels.telegram.conftest import LiveBot

en, es = Translator("en"), Translator("es")


async def test_lecturer_creates_a_class_and_a_trainee_joins_by_deep_link(live_bot: LiveBot) -> None:
    li = live_bot.fake.user(901, "Li", language_code="en")
    await li.send_text("/start")
    await li.wait_messages(1)
    async with live_bot.runtime.sessions() as session:
        person = (await session.exec(select(Person).where(Person.channel_user_id == "901"))).one()
        person.role = Role.lecturer
        session.add(person)
        await session.commit()

    await li.send_text("/newcohort Zacatlán apples")
    created, qr, card = await li.wait_messages(3)
    assert created.text == en("cohort.created", name="Zacatlán apples")
    assert qr.kind == "photo" and qr.file_bytes and qr.file_bytes.startswith(b"\x89PNG")
    async with live_bot.runtime.sessions() as session:
        cohort = (await session.exec(select(Cohort))).one()
    link = f"https://t.me/{live_bot.fake.bot_username}?start={cohort.invite_code}"
    assert link in card.text and link in qr.text

    rosa = live_bot.fake.user(902, "Rosa", language_code="es-MX")
    await rosa.send_text(f"/start {cohort.invite_code}")  # what tapping the link sends
    messages = await rosa.wait_messages(2)
    assert any(m.text.startswith("✅") and "Zacatlán apples" in m.text for m in messages)

    await li.press(en("cohort.members"), card)
    (members,) = await li.wait_messages(1)
    assert "Rosa" in members.text


async def test_a_coordinator_gets_the_chart_and_the_spreadsheet(live_bot: LiveBot) -> None:
    boss = live_bot.fake.user(911, "Marta", language_code="es")
    await boss.send_text("/start")
    await boss.wait_messages(1)
    async with live_bot.runtime.sessions() as session:
        person = (await session.exec(select(Person).where(Person.channel_user_id == "911"))).one()
        person.role = Role.coordinator
        session.add(person)
        await session.commit()
    await boss.send_text("/newcohort Duraznos")
    await boss.wait_messages(3)
    async with live_bot.runtime.sessions() as session:
        cohort = (await session.exec(select(Cohort))).one()
    rosa = live_bot.fake.user(912, "Rosa", language_code="es")
    await rosa.send_text(f"/join {cohort.invite_code}")
    await rosa.wait_messages(1)

    await boss.send_text(es("menu.stats"))
    chart, per_cohort = await boss.wait_messages(2)
    assert chart.kind == "photo" and chart.file_bytes.startswith(b"\x89PNG")
    assert chart.text.startswith("📈 ") and "Duraznos" in per_cohort.inline_buttons()[0][0]["text"]
    await boss.press(es("stats.export"), chart)
    (sheet,) = await boss.wait_messages(1)
    assert sheet.kind == "document" and sheet.file_name == "trainees-all.xlsx"
    assert sheet.file_bytes.startswith(b"PK")  # an XLSX is a zip file
