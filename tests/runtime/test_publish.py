"""A running bot serving a course version published while a trainee is in the middle of a lesson:
their card and quiz follow the change, passed lessons stay; a new course reaches a class."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.db.models import Cohort, LessonProgress, Person, Role
from bot.i18n import Translator
from bot.lessons.publishing import read_folder
from bot.lessons.versions import PersonRef, live_number
from bot.runtime import Runtime
from tests.conftest import SAMPLE_CONTENT, Trainee, make_settings, migrated_runtime

en = Translator("en")
ADMIN = PersonRef(1, "Boss", Role.admin)
PHOTOS = "lessons/good-photos.en.md"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self) -> None:
        self.now += timedelta(seconds=30)


@pytest.fixture
async def live(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[Runtime, Clock]]:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    settings = make_settings(database_url, content_dir=content, admin_ids="test:boss")
    runtime = await migrated_runtime(settings)
    clock = Clock()
    runtime.academy.services.clock = clock
    try:
        yield runtime, clock
    finally:
        await runtime.close()


def files_of(runtime: Runtime) -> dict[str, bytes]:
    return read_folder(runtime.settings.content_dir / "courses" / "sample")


def edited(files: dict[str, bytes], name: str, old: str, new: str) -> dict[str, bytes]:
    text = files[name].decode()
    assert old in text, old
    return {**files, name: text.replace(old, new).encode()}


async def press(ana: Trainee, clock: Clock, label: str) -> list:
    clock.advance()
    return await ana.press(label)


async def rows(runtime: Runtime) -> dict[str, LessonProgress]:
    async with runtime.sessions() as session:
        return {row.lesson: row for row in await session.exec(select(LessonProgress))}


async def pass_first_lesson(ana: Trainee, clock: Clock) -> None:
    await ana.send(en("menu.lesson"))
    await press(ana, clock, en("lesson.next"))
    await press(ana, clock, en("lesson.start_quiz"))
    await press(ana, clock, "The product you know best")
    await press(ana, clock, "A young relative")
    await press(ana, clock, en("lesson.next_lesson"))


async def test_a_trainee_keeps_her_place_through_two_publishes(
    live: tuple[Runtime, Clock],
) -> None:
    runtime, clock = live
    services = runtime.academy.services
    ana = Trainee(runtime, "ana", "Ana", "en")
    await pass_first_lesson(ana, clock)
    await press(ana, clock, en("lesson.next"))
    assert ana.texts[0].startswith("📖 Lesson 2/2") and "2/3" in ana.texts[0]
    assert "Cut one peach open" in ana.texts[0]

    # The card she is reading is removed: the running bot serves the new version at once.
    clock.advance()
    removed = edited(
        files_of(runtime),
        PHOTOS,
        "---\n![A peach cut in half next to a coin](peach.png)\n"
        "Cut one peach open and put a coin next to it. Buyers see how juicy and how big it is.\n\n",
        "",
    )
    version = await services.publish("sample", removed, author=ADMIN)
    assert len(services.courses["sample"].lesson("good-photos", "en").cards) == 2
    assert live_number(runtime.settings, "sample") == version.number == 2

    # Her old "Next" button: she sees the card now in its place, not the quiz.
    (card,) = await press(ana, clock, en("lesson.next"))
    assert "2/2" in card.text and "Take five photos" in card.text
    await press(ana, clock, en("lesson.start_quiz"))
    await press(ana, clock, "Move to a window with daylight")
    assert "How do you show buyers" in ana.texts[-1]

    # The quiz she is in changes (an option): it starts again at question 1, saying so.
    clock.advance()
    changed = edited(removed, PHOTOS, "Put a coin next to a peach", "Put a coin beside a peach")
    await services.publish("sample", changed, author=ADMIN)
    note, question = await press(ana, clock, "Put a coin next to a peach")
    assert note.text == en("quiz.changed")
    assert "Your photo is dark" in question.text
    progress = await rows(runtime)
    assert (progress["good-photos"].question, progress["good-photos"].attempt) == (0, 2)
    assert progress["first-steps"].status == "passed"

    # A version without the first lesson: her passed lesson is kept, no longer shown.
    clock.advance()
    without = {k: v for k, v in changed.items() if "first-steps" not in k}
    without = edited(without, "course.yaml", "  - first-steps\n", "")
    await services.publish("sample", without, author=ADMIN)
    replies = await ana.send(en("menu.lesson"))
    assert "Your photo is dark" in replies[-1].text  # the same place: her quiz did not change
    progress = await rows(runtime)
    assert progress["first-steps"].status == "passed" and progress["first-steps"].passed_at


async def test_a_new_course_reaches_a_class_and_its_questions(
    live: tuple[Runtime, Clock],
) -> None:
    runtime, clock = live
    services = runtime.academy.services
    boss = Trainee(runtime, "boss", "Boss", "en")
    (invite,) = await boss.send("/invite_lecturer")
    li_na = Trainee(runtime, "lina", "Li Na", "en")
    await li_na.send(f"/start {invite.text.rsplit(' ', 1)[-1]}")
    await li_na.send("/newcohort Highland")
    async with runtime.sessions() as session:
        (cohort,) = await session.exec(select(Cohort))
        lecturer = (await session.exec(select(Person).where(Person.display_name == "Li Na"))).one()
    ana = Trainee(runtime, "ana", "Ana", "en")
    await ana.send(f"/join {cohort.invite_code}")

    barley = {
        name: data.replace(b"id: sample", b"id: barley").replace(
            b"Try it: sell peaches online", b"Barley from the highlands"
        )
        for name, data in files_of(runtime).items()
    }
    barley = edited(
        barley,
        PHOTOS,
        "Take it by a window in daylight, on a plain table or cloth.",
        "Dry the highland barley on a clean roof before you pack it.",
    )
    author = PersonRef.of(lecturer)
    assert author == PersonRef(lecturer.id or 0, "Li Na", Role.lecturer)
    version = await services.publish("barley", barley, author=author)
    assert version.owner == author and sorted(services.courses) == ["barley", "sample"]

    clock.advance()
    await li_na.send("/cohorts")
    await li_na.press("👥 Highland")
    await li_na.press(en("cohort.course"))
    await li_na.press("Barley from the highlands")
    async with runtime.sessions() as session:
        member = (await session.exec(select(Person).where(Person.display_name == "Ana"))).one()
    assert member.course_id == "barley"

    replies = await ana.send(en("menu.lesson"))
    assert "Barley from the highlands" in replies[0].text
    (answer,) = await ana.send("How long do I dry highland barley on the roof?")
    assert "highland barley" in answer.text


async def test_a_changed_right_answer_restarts_the_quiz_when_she_comes_back(
    live: tuple[Runtime, Clock],
) -> None:
    runtime, clock = live
    ana = Trainee(runtime, "ana", "Ana", "en")
    await ana.send(en("menu.lesson"))
    await press(ana, clock, en("lesson.next"))
    await press(ana, clock, en("lesson.start_quiz"))
    await press(ana, clock, "The product you know best")
    assert "Who can help you" in ana.texts[-1]

    clock.advance()
    name = "lessons/first-steps.en.md"
    files = edited(files_of(runtime), name, "    answer: 2\n", "    answer: 3\n")
    explanations = files[name].decode().replace("Right. Someone", "Someone")
    explanations = explanations.replace("You do not need to pay anyone to start.", "Right.")
    files[name] = explanations.encode()
    await runtime.academy.services.publish("sample", files, author=ADMIN)

    replies = await ana.send(en("menu.lesson"))
    assert [r.text for r in replies][:1] == [en("quiz.changed")]
    assert "What should you sell first?" in replies[-1].text
    # The same quiz again later: no note, her place kept.
    await press(ana, clock, "The product you know best")
    replies = await ana.send(en("menu.lesson"))
    assert en("quiz.changed") not in [r.text for r in replies]
    assert "Who can help you" in replies[-1].text
