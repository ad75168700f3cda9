"""A whole lesson and quiz on Telegram: cards, a photo card, answers, a double tap."""

from __future__ import annotations

from sqlmodel import select

from bot.db.models import LessonProgress, QuizAnswer
from bot.i18n import Translator
from tests.channels.telegram.conftest import LiveBot

es = Translator("es")


async def test_two_lessons_with_quiz_photo_card_and_double_tap(live_bot: LiveBot) -> None:
    course = live_bot.runtime.academy.services.courses["sample"]
    ana = live_bot.fake.user(801, "Ana", language_code="es-MX")
    await ana.send_text(es("menu.lesson"))
    intro, card = await ana.wait_messages(2)
    assert course.welcome["es"] in intro.text
    first = course.lesson("first-steps", "es")
    assert card.text.startswith(f"📖 Lección 1/2 · {first.title} · 1/{len(first.cards)}")

    for _ in range(len(first.cards) - 1):
        await ana.press(es("lesson.next"))
        await ana.wait_messages(1)
    await ana.press(es("lesson.start_quiz"))
    (question,) = await ana.wait_messages(1)
    assert [row[0]["text"] for row in question.inline_buttons()] == list(first.quiz[0].options)

    right = first.quiz[0].options[first.quiz[0].answer]
    await ana.press(right, question)
    await ana.press(right, question)  # the thumb slipped: a double tap on the same answer
    (second,) = await ana.wait_messages(1)
    answered = live_bot.fake.messages(ana.id)[-2]
    assert answered.message_id == question.message_id and answered.edits == 1
    assert "✅" in answered.text and answered.inline_buttons() == []

    await ana.press(first.quiz[1].options[first.quiz[1].answer], second)
    (result,) = await ana.wait_messages(1)
    assert result.text == es("quiz.passed", number=1, right=2, total=2, percent=100)
    # Each person's updates are handled in order, so the double tap was handled before this.
    async with live_bot.runtime.sessions() as session:
        answers = list(await session.exec(select(QuizAnswer)))
        progress = list(await session.exec(select(LessonProgress)))
    assert len(answers) == 2 and [p.status for p in progress] == ["passed"]

    await ana.press(es("lesson.next_lesson"))
    (card,) = await ana.wait_messages(1)
    assert card.text.startswith("📖 Lección 2/2")
    await ana.press(es("lesson.next"))
    (photo,) = await ana.wait_messages(1)
    assert photo.kind == "photo" and photo.file_bytes and photo.file_bytes.startswith(b"\x89PNG")
    assert photo.text.startswith("📖 Lección 2/2") and photo.inline_buttons()
