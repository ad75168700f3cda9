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
    await li.wait_messages(2)
    async with live_bot.runtime.sessions() as session:
        person = (await session.exec(select(Person).where(Person.channel_user_id == "901"))).one()
        person.role = Role.lecturer.value
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
    messages = await rosa.wait_messages(3)
    assert any(m.text.startswith("✅") and "Zacatlán apples" in m.text for m in messages)

    await li.press(en("cohort.members"), card)
    (members,) = await li.wait_messages(1)
    assert "Rosa" in members.text
