"""The trainee's loop on a real SQLite database and the sample course: cards, quiz, resume,
double taps, review schedule, progress and the certificate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.core.messages import Incoming
from bot.db.models import Certificate, LessonProgress, QuizAnswer, ReviewItem
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, migrated_runtime

en = Translator("en")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(runtime: Runtime) -> Clock:
    clock = Clock()
    runtime.academy.services.clock = clock
    return clock


@pytest.fixture
def course(runtime: Runtime):
    return runtime.academy.services.courses["sample"]


async def rows(runtime: Runtime, model):
    async with runtime.sessions() as session:
        return list(await session.exec(select(model)))


async def read_lesson(
    ana: Trainee, clock: Clock, cards: int, *, start: int = 0, t: Translator = en
) -> None:
    """From card `start` to the first quiz question, one tap a card."""
    for _ in range(start, cards - 1):
        clock.advance(seconds=10)
        await ana.press(t("lesson.next"))
    clock.advance(seconds=10)
    await ana.press(t("lesson.start_quiz"))


async def answer(ana: Trainee, clock: Clock, label: str) -> list:
    clock.advance(seconds=10)
    return await ana.press(label)


async def test_a_whole_lesson_and_its_quiz(runtime, trainee_factory, clock, course) -> None:
    ana = trainee_factory("1", "Ana", "en")
    lesson = course.lesson("first-steps", "en")
    replies = await ana.send(en("menu.lesson"))
    assert "Welcome! Two lessons" in replies[0].text  # the course's welcome, the first time
    first_card = replies[1]
    assert first_card.text.startswith(f"📖 Lesson 1/2 · {lesson.title} · 1/{len(lesson.cards)}")
    assert lesson.cards[0].text.strip()[:20] in first_card.text

    await read_lesson(ana, clock, len(lesson.cards))
    (question,) = ana.last
    assert question.text == en(
        "quiz.question", number=1, total=len(lesson.quiz), question=lesson.quiz[0].text
    )
    assert [b.label for row in question.buttons for b in row] == list(lesson.quiz[0].options)

    right = lesson.quiz[0].options[lesson.quiz[0].answer]
    feedback, second = await answer(ana, clock, right)
    assert feedback.edit and en("quiz.right", explanation=lesson.quiz[0].explanations[0]) in (
        feedback.text
    )
    assert lesson.quiz[1].text in second.text
    wrong_index = (lesson.quiz[1].answer + 1) % len(lesson.quiz[1].options)
    feedback, result = await answer(ana, clock, lesson.quiz[1].options[wrong_index])
    assert "❌" in feedback.text and lesson.quiz[1].options[lesson.quiz[1].answer] in feedback.text
    assert result.text == en("quiz.passed", number=1, right=1, total=2, percent=50)

    (progress,) = await rows(runtime, LessonProgress)
    assert (progress.status, progress.best_score, progress.attempt) == ("passed", 0.5, 1)
    answers = await rows(runtime, QuizAnswer)
    assert [(a.question, a.correct) for a in answers] == [(0, True), (1, False)]
    (review,) = await rows(runtime, ReviewItem)
    assert (review.lesson, review.question, review.step) == ("first-steps", 1, 0)
    assert review.due_at == clock.now + timedelta(days=1)

    await ana.press(en("lesson.next_lesson"))  # straight into lesson 2
    assert ana.last[0].text.startswith("📖 Lesson 2/2")


async def test_failing_offers_reread_and_retry_as_a_new_attempt(
    runtime, trainee_factory, clock, course
) -> None:
    ana = trainee_factory("1", "Ana", "en")
    lesson = course.lesson("first-steps", "en")
    await ana.send("/lesson")
    await read_lesson(ana, clock, len(lesson.cards))
    for question in lesson.quiz:
        await answer(ana, clock, question.options[(question.answer + 1) % len(question.options)])
    result = ana.last[-1]
    # Before retrying, each missed question with its right answer, in the same message.
    missed = [en("quiz.missed", question=q.text, answer=q.options[q.answer]) for q in lesson.quiz]
    assert result.text == "\n\n".join(
        (en("quiz.failed", right=0, total=2, need=1), "\n".join(missed), en("quiz.failed_next"))
    )
    assert len(result.text) <= 450  # one phone screen
    assert [b.label for row in result.buttons for b in row] == [
        en("lesson.reread"),
        en("lesson.retry"),
    ]
    clock.advance(minutes=5)
    await ana.press(en("lesson.retry"))
    for question in lesson.quiz:
        await answer(ana, clock, question.options[question.answer])
    assert ana.last[-1].text == en("quiz.passed", number=1, right=2, total=2, percent=100)
    answers = await rows(runtime, QuizAnswer)
    assert sorted((a.attempt, a.question) for a in answers) == [(1, 0), (1, 1), (2, 0), (2, 1)]
    (progress,) = await rows(runtime, LessonProgress)
    assert (progress.attempt, progress.best_score, progress.last_score) == (2, 1.0, 1.0)


async def test_double_taps_and_old_buttons_never_count_twice(
    runtime, trainee_factory, clock, course
) -> None:
    ana = trainee_factory("1", "Ana", "en")
    lesson = course.lesson("first-steps", "en")
    await ana.send("/lesson")
    next_button = ana.button(en("lesson.next"))
    incoming = Incoming.button(ana.sender, next_button.payload)

    async def tap() -> list:
        async with runtime.sessions() as session:
            return await runtime.academy.handle(incoming, session)

    clock.advance(seconds=5)
    assert (await tap())[0].text.startswith("📖 Lesson 1/2 · ")  # card 2
    assert await tap() == []  # a double tap: silence
    (progress,) = await rows(runtime, LessonProgress)
    assert progress.card == 1
    clock.advance(hours=2)  # the same old button, hours later: where you are, nothing counted
    stale = await tap()
    assert stale[0].text == en("lesson.where_you_were")
    assert f"2/{len(lesson.cards)}" in stale[1].text.splitlines()[0]
    (progress,) = await rows(runtime, LessonProgress)
    assert progress.card == 1

    ana.last = stale  # carry on from the message the stale tap brought back
    await read_lesson(ana, clock, len(lesson.cards), start=progress.card)
    right = lesson.quiz[0].options[lesson.quiz[0].answer]
    answer_button = ana.button(right)
    await answer(ana, clock, right)
    async with runtime.sessions() as session:
        again = await runtime.academy.handle(
            Incoming.button(ana.sender, answer_button.payload), session
        )
    assert again == []
    assert len(await rows(runtime, QuizAnswer)) == 1


async def test_progress_survives_a_restart(settings, runtime, trainee_factory, clock) -> None:
    ana = trainee_factory("1", "Ana", "es")
    await ana.send("/lesson")
    clock.advance(seconds=10)
    await ana.press(Translator("es")("lesson.next"))
    await runtime.close()

    restarted = await migrated_runtime(settings)
    try:
        again = Trainee(restarted, "1", "Ana", "es")
        replies = await again.send(Translator("es")("menu.lesson"))
        assert len(replies) == 1  # no welcome again
        assert replies[0].text.startswith("📖 Lección 1/2")
        assert " · 2/" in replies[0].text.splitlines()[0]  # the same card as before the restart
    finally:
        await restarted.close()


async def test_missed_questions_come_back_on_a_spaced_schedule(
    runtime, trainee_factory, clock, course
) -> None:
    ana = trainee_factory("1", "Ana", "en")
    lesson = course.lesson("first-steps", "en")
    await ana.send("/lesson")
    await read_lesson(ana, clock, len(lesson.cards))
    q0, q1 = lesson.quiz
    await answer(ana, clock, q0.options[q0.answer])
    await answer(ana, clock, q1.options[(q1.answer + 1) % len(q1.options)])

    menu = (await ana.send("/progress"))[0].menu
    assert all("🔁" not in label for row in menu for label in row)  # not due yet
    for days, step in ((1, 1), (3, 2), (7, None)):
        clock.advance(days=days, minutes=1)
        menu = (await ana.send("/progress"))[0].menu
        assert (en("menu.review", count=1),) in menu
        question = (await ana.send(en("menu.review", count=1)))[0]
        assert q1.text in question.text
        feedback, after = await answer(ana, clock, q1.options[q1.answer])
        assert "✅" in feedback.text and after.text == en("review.done")
        items = await rows(runtime, ReviewItem)
        assert [i.step for i in items] == ([step] if step is not None else [])


async def test_a_wrong_review_answer_starts_the_schedule_again(
    runtime, trainee_factory, clock, course
) -> None:
    ana = trainee_factory("1", "Ana", "en")
    lesson = course.lesson("first-steps", "en")
    await ana.send("/lesson")
    await read_lesson(ana, clock, len(lesson.cards))
    q0, q1 = lesson.quiz
    await answer(ana, clock, q0.options[(q0.answer + 1) % len(q0.options)])
    await answer(ana, clock, q1.options[q1.answer])
    clock.advance(days=1, minutes=1)
    await ana.send("/review")
    await answer(ana, clock, q0.options[(q0.answer + 1) % len(q0.options)])
    (item,) = await rows(runtime, ReviewItem)
    assert (item.step, item.due_at) == (0, clock.now + timedelta(days=1))
    assert (await ana.send("/review"))[0].text == en("review.none")


async def test_my_progress_shows_lessons_average_and_streak(
    runtime, trainee_factory, clock, course
) -> None:
    ana = trainee_factory("1", "Ana", "en")
    text = (await ana.send(en("menu.progress")))[0].text
    assert "0 of 2" in text and en("progress.no_quiz_yet") in text and ": 0 🔥" in text
    lesson = course.lesson("first-steps", "en")
    await ana.send("/lesson")
    await read_lesson(ana, clock, len(lesson.cards))
    for question in lesson.quiz:
        await answer(ana, clock, question.options[question.answer])
    clock.advance(days=1)
    await ana.send("/lesson")  # studies the next day too
    text = (await ana.send("/progress"))[0].text
    assert "1 of 2" in text and "▰▰▰▰▰▱▱▱▱▱ 50%" in text and "100%" in text
    assert text.endswith("2 🔥")
    clock.advance(days=2)  # a day missed: the streak is broken
    assert (await ana.send("/progress"))[0].text.endswith("0 🔥")


async def test_finishing_the_course_sends_a_certificate_that_verifies(
    runtime, trainee_factory, clock, course
) -> None:
    ana = trainee_factory("1", "王秀英", "zh")
    zh = Translator("zh")
    assert (await ana.send("/certificate"))[0].text == zh("certificate.not_yet")
    await ana.send("/lesson")
    for slug in course.lessons:
        lesson = course.lesson(slug, "zh")
        await read_lesson(ana, clock, len(lesson.cards), t=zh)
        for question in lesson.quiz:
            await answer(ana, clock, question.options[question.answer])
        if slug != course.lessons[-1]:
            await ana.press(zh("lesson.next_lesson"))
    congratulations, picture = ana.last[-2:]
    assert "王秀英" in congratulations.text
    assert picture.image is not None and picture.image.read().startswith(b"\x89PNG")
    (certificate,) = await rows(runtime, Certificate)
    assert certificate.code in picture.text and certificate.name == "王秀英"

    again = (await ana.send("/certificate"))[0]
    assert again.image is not None and certificate.code in again.text
    assert len(await rows(runtime, Certificate)) == 1
    assert (await ana.send("/lesson"))[0].text.startswith("🎓")
    again = (await ana.press(zh("help.certificate")))[0]  # a button, not a command to type
    assert again.image is not None and certificate.code in again.text

    from bot.lessons.certificates import find_certificate

    async with runtime.sessions() as session:
        typed = certificate.code.lower().replace("-", " ")
        assert (await find_certificate(session, typed)).id == certificate.id
        assert await find_certificate(session, "NOPE-NOPE") is None


async def test_forged_lesson_buttons_are_refused_kindly(runtime, trainee_factory, clock) -> None:
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/lesson")
    for payload in ("les:next:no-such-lesson:0", "les:ans:first-steps:x:y:z", "les", "rev:a:b:c"):
        async with runtime.sessions() as session:
            replies = await runtime.academy.handle(Incoming.button(ana.sender, payload), session)
        assert replies and replies[0].text == en("error.stale_button"), payload


async def test_an_old_quiz_button_of_a_passed_lesson_only_says_it_is_old(
    runtime, trainee_factory, clock, course
) -> None:
    ana = trainee_factory("1", "Ana", "en")
    lesson = course.lesson("first-steps", "en")
    await ana.send("/lesson")
    await read_lesson(ana, clock, len(lesson.cards))
    old_button = ana.button(lesson.quiz[0].options[lesson.quiz[0].answer])
    for question in lesson.quiz:
        await answer(ana, clock, question.options[question.answer])
    await ana.press(en("lesson.next_lesson"))  # lesson 2, card 1
    clock.advance(hours=1)
    async with runtime.sessions() as session:
        replies = await runtime.academy.handle(
            Incoming.button(ana.sender, old_button.payload), session
        )
    texts = [reply.text for reply in replies]
    assert texts[0] == en("lesson.old_button", number=1)
    assert texts[1].startswith("📖 Lesson 2/2 · ")
    assert len(replies) == 2
    assert not any("🎉" in text for text in texts)
    assert len(await rows(runtime, QuizAnswer)) == len(lesson.quiz)


@pytest.mark.parametrize("language", ["zh", "es", "en"])
def test_a_failure_with_every_answer_wrong_still_fits_one_screen(language: str) -> None:
    """The starter course's longest questions: all missed, the message still fits a phone
    screen (the right answers alone, numbered, when the questions would not fit)."""
    from bot.handlers.lessons import failure_text
    from bot.lessons.content import require_library, screen_limit
    from tests.lessons.test_starter_course import STARTER

    course = require_library(STARTER)["sell-online"]
    t = Translator(language)
    for slug in course.lessons:
        lesson = course.lesson(slug, language)
        text = failure_text(t, course, lesson, list(range(len(lesson.quiz))), right=0)
        assert len(text) <= screen_limit(language), (slug, text)
        for question in lesson.quiz:
            assert question.options[question.answer] in text
