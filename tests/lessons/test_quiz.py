"""The lesson rules of bot/lessons/quiz.py: which tap is current, grading, and that only a tap
that moves the person on counts as a day they studied."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.core.messages import Incoming
from bot.db.models import ActivityDay, LessonProgress, LessonStatus
from bot.i18n import Translator
from bot.lessons.model import Lesson
from bot.lessons.quiz import current_question, fit_to_lesson, grade, is_current_card
from bot.runtime import Runtime

en = Translator("en")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = MONDAY

    def __call__(self) -> datetime:
        return self.now


def sample_lesson(runtime: Runtime) -> Lesson:
    return runtime.academy.services.courses["sample"].lesson("first-steps", "en")


def row(**fields: object) -> LessonProgress:
    values: dict[str, object] = {
        "person_id": 1,
        "course_id": "sample",
        "lesson": "first-steps",
        "started_at": MONDAY,
        "updated_at": MONDAY,
        **fields,
    }
    return LessonProgress.model_validate(values)


def test_a_card_tap_is_current_only_on_the_card_being_read() -> None:
    reading = row(status=LessonStatus.reading, card=2)
    assert is_current_card(reading, 2)
    assert not is_current_card(reading, 1)
    assert not is_current_card(row(status=LessonStatus.quiz, card=2), 2)


def test_an_answer_is_current_only_for_this_attempt_and_question(runtime: Runtime) -> None:
    lesson = sample_lesson(runtime)
    quiz = row(status=LessonStatus.quiz, attempt=2, question=1)
    assert current_question(quiz, lesson, 2, 1, 0) is lesson.quiz[1]
    assert current_question(quiz, lesson, 1, 1, 0) is None  # an earlier attempt's button
    assert current_question(quiz, lesson, 2, 0, 0) is None  # the question before
    assert current_question(quiz, lesson, 2, 1, len(lesson.quiz[1].options)) is None
    assert (
        current_question(row(status=LessonStatus.failed, attempt=2, question=1), lesson, 2, 1, 0)
        is None
    )


def test_grading_and_a_quiz_shortened_under_the_person(runtime: Runtime) -> None:
    lesson = sample_lesson(runtime)
    question = lesson.quiz[0]
    assert grade(question, question.answer)
    assert not grade(question, (question.answer + 1) % len(question.options))
    beyond = row(status=LessonStatus.quiz, attempt=1, question=len(lesson.quiz), card=99)
    fit_to_lesson(beyond, lesson, MONDAY + timedelta(hours=1))
    assert (beyond.status, beyond.question, beyond.attempt) == (LessonStatus.quiz, 0, 2)
    assert beyond.card == len(lesson.cards) - 1


async def study_days(runtime: Runtime) -> list[object]:
    async with runtime.sessions() as session:
        return list(await session.exec(select(ActivityDay.day).order_by(col(ActivityDay.day))))


async def test_a_tap_on_an_old_button_is_no_study_day(runtime: Runtime, trainee_factory) -> None:
    clock = Clock()
    runtime.academy.services.clock = clock
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/lesson")
    old_next = ana.button(en("lesson.next")).payload
    clock.now += timedelta(seconds=10)
    await ana.press(en("lesson.next"))
    assert await study_days(runtime) == [MONDAY.date()]

    clock.now += timedelta(days=2)  # Wednesday: the first card's button again
    async with runtime.sessions() as session:
        where = await runtime.academy.handle(Incoming.button(ana.sender, old_next), session)
    assert where[0].text == en("lesson.where_you_were")
    assert await study_days(runtime) == [MONDAY.date()]

    ana.last = where
    await ana.press(where[-1].buttons[0][0].label)  # the card they are on: that is studying
    assert await study_days(runtime) == [MONDAY.date(), (MONDAY + timedelta(days=2)).date()]
