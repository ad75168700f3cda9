"""The lesson page as a trainee uses it, over real HTTP on a migrated database (both backends):
cards, quiz, result and certificate on the page write the same rows as the chat, so the chat
(the real pipeline) goes on where the page stopped and the other way round; a double or stale
form changes nothing; a form not drawn by us is refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import pytest
from sqlmodel import select

from bot.core.messages import Incoming
from bot.db.models import (
    ActivityDay,
    Certificate,
    Cohort,
    LessonProgress,
    LessonStatus,
    Person,
    QuizAnswer,
    ReviewItem,
)
from bot.i18n import Translator
from bot.lessons.links import LINK_LIFETIME, lesson_url, next_lesson_url
from bot.lessons.model import Course, Lesson
from bot.runtime import Runtime
from tests.conftest import Trainee
from tests.web.pages import LessonServer, Phone, shared_clock

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
en = Translator("en")


@dataclass
class Rig:
    runtime: Runtime
    clock: list[datetime]
    server: LessonServer

    @property
    def course(self) -> Course:
        return self.runtime.academy.services.courses["sample"]

    def lesson(self, slug: str = "first-steps", language: str = "en") -> Lesson:
        return self.course.lesson(slug, language)

    def url(self, person_id: int, slug: str = "first-steps") -> str:
        secret = self.runtime.settings.lesson_link_secret
        return lesson_url(self.server.base_url, secret, person_id, "sample", slug, self.clock[0])

    def tick(self, seconds: float = 10) -> None:
        self.clock[0] += timedelta(seconds=seconds)

    async def person_of(self, trainee: Trainee) -> int:
        async with self.runtime.sessions() as session:
            person = (
                await session.exec(
                    select(Person).where(Person.channel_user_id == trainee.sender.user_id)
                )
            ).one()
            assert person.id is not None
            return person.id

    async def rows(self, model: Any) -> list[Any]:
        async with self.runtime.sessions() as session:
            return list(await session.exec(select(model)))

    async def progress(self, slug: str = "first-steps") -> LessonProgress:
        (row,) = [r for r in await self.rows(LessonProgress) if r.lesson == slug]
        return row


@pytest.fixture
async def rig(runtime: Runtime) -> AsyncIterator[Rig]:
    clock = shared_clock(runtime, NOW)
    async with LessonServer(runtime, clock) as server:
        yield Rig(runtime, clock, server)


async def trainee(rig: Rig, factory: Any, user: str = "1", language: str = "en") -> Trainee:
    """A trainee who has talked to the bot once (so they exist), no lesson opened yet."""
    person = factory(user, "Ana", language)
    await person.send("/progress")
    return person


async def read_to_quiz(rig: Rig, phone: Phone, cards: int, start: int = 0) -> None:
    for _ in range(start, cards - 1):
        rig.tick()
        await phone.press(en("lesson.next"))
    rig.tick()
    await phone.press(en("lesson.start_quiz"))


async def test_lesson_one_on_the_page_then_the_chat_goes_on_at_lesson_two(
    rig: Rig, trainee_factory: Any
) -> None:
    ana = await trainee(rig, trainee_factory)
    lesson = rig.lesson()
    phone = await Phone().open(rig.url(await rig.person_of(ana)))
    assert phone.status == 200 and lesson.title in phone.text
    assert en("lesson_page.heading", number=1, total=2) in phone.text
    assert en("lesson_page.card", card=1, cards=2) in phone.text
    assert lesson.cards[0].text.split("\n")[0] in phone.text
    assert phone.labels == [en("lesson.next")]  # no Back on the first card
    assert await rig.rows(LessonProgress) == []  # opening the page writes nothing

    rig.tick()
    await phone.press(en("lesson.next"))
    assert en("lesson_page.card", card=2, cards=2) in phone.text
    assert lesson.cards[1].text.split("\n")[0] in phone.text
    assert phone.labels == [en("lesson.start_quiz"), en("lesson_page.back")]
    rig.tick()
    await phone.press(en("lesson.start_quiz"))
    for number, question in enumerate(lesson.quiz, 1):
        assert en("quiz.question", number=number, total=2, question=question.text) in phone.text
        assert phone.labels == list(question.options)
        rig.tick()
        await phone.press(question.options[question.answer])
        assert en("quiz.your_answer", answer=question.options[question.answer]) in phone.text
        explanation = question.explanation_for(question.answer)
        assert en("quiz.right", explanation=explanation) in phone.text
    assert en("quiz.passed", number=1, right=2, total=2, percent=100) in phone.text
    assert phone.labels == []

    row = await rig.progress()
    assert (row.status, row.attempt, row.best_score) == (LessonStatus.passed, 1, 1.0)
    answers = await rig.rows(QuizAnswer)
    assert [(a.question, a.correct) for a in answers] == [(0, True), (1, True)]
    assert len(await rig.rows(ActivityDay)) == 1

    await ana.send(en("menu.lesson"))  # the chat goes on at lesson 2
    assert ana.texts[0].startswith(f"📖 Lesson 2/2 · {rig.lesson('good-photos').title} · 1/")
    await phone.tap(en("lesson.next_lesson"))
    assert rig.lesson("good-photos").title in phone.text
    assert en("lesson_page.card", card=1, cards=3) in phone.text


async def test_chat_page_chat_in_the_middle_of_a_lesson(rig: Rig, trainee_factory: Any) -> None:
    ana = await trainee(rig, trainee_factory)
    lesson = rig.lesson()
    await ana.send(en("menu.lesson"))
    rig.tick()
    await ana.press(en("lesson.next"))  # card 2 in the chat
    stale_chat_button = ana.button(en("lesson.start_quiz"))

    phone = await Phone().open(rig.url(await rig.person_of(ana)))
    assert en("lesson_page.card", card=2, cards=2) in phone.text  # where the chat left it
    rig.tick()
    await phone.press(en("lesson_page.back"))
    assert en("lesson_page.card", card=1, cards=2) in phone.text
    assert (await rig.progress()).card == 0
    await read_to_quiz(rig, phone, 2)
    first = lesson.quiz[0]
    rig.tick()
    await phone.press(first.options[first.answer])

    rig.tick()  # the chat's old "Start the quiz" button only says where the person is now
    async with rig.runtime.sessions() as session:
        incoming = Incoming.button(ana.sender, stale_chat_button.payload)
        replies = await rig.runtime.academy.handle(incoming, session)
    second = lesson.quiz[1]
    question_two = en("quiz.question", number=2, total=2, question=second.text)
    assert [r.text for r in replies] == [en("lesson.where_you_were"), question_two]
    rig.tick()
    await ana.send(en("menu.lesson"))  # and "Lesson" too: question 2, answered in the chat
    assert ana.texts[-1] == question_two
    rig.tick()
    await ana.press(second.options[second.answer])
    assert ana.texts[-1] == en("quiz.passed", number=1, right=2, total=2, percent=100)

    await phone.open(phone.url)  # the page shows the chat's result
    assert en("quiz.passed", number=1, right=2, total=2, percent=100) in phone.text
    answers = await rig.rows(QuizAnswer)
    assert [(a.question, a.correct) for a in answers] == [(0, True), (1, True)]


async def test_a_double_tap_or_a_resubmitted_form_counts_once(
    rig: Rig, trainee_factory: Any
) -> None:
    ana = await trainee(rig, trainee_factory)
    lesson = rig.lesson()
    phone = await Phone().open(rig.url(await rig.person_of(ana)))
    form, name, value = phone.button(en("lesson.next"))
    await phone.submit(form, **{name: value})
    await phone.submit(form, **{name: value})  # the same form again: still card 2
    assert en("lesson_page.card", card=2, cards=2) in phone.text
    assert (await rig.progress()).card == 1

    await phone.press(en("lesson.start_quiz"))
    question = lesson.quiz[0]
    form, name, _ = phone.button(question.options[0])
    right = str(question.answer)
    wrong = str((question.answer + 1) % len(question.options))
    await phone.submit(form, **{name: right})
    await phone.submit(form, **{name: wrong})  # a second tap, even on another answer
    # The first answer stays, shown again above the question that is current now.
    assert en("quiz.your_answer", answer=question.options[question.answer]) in phone.text
    assert lesson.quiz[1].text in phone.text
    answers = await rig.rows(QuizAnswer)
    assert [(a.question, a.chosen) for a in answers] == [(0, question.answer)]
    assert (await rig.progress()).question == 1

    last = lesson.quiz[1]
    form, name, _ = phone.button(last.options[0])
    # Two taps at the same instant, as two requests in flight: one answer counts.
    await asyncio.gather(
        *(Phone(url=phone.url).submit(form, **{name: str(last.answer)}) for _ in range(2))
    )
    assert len(await rig.rows(QuizAnswer)) == 2
    row = await rig.progress()
    assert (row.status, row.correct, row.attempt) == (LessonStatus.passed, 2, 1)


async def test_a_stale_form_only_shows_where_the_person_is(rig: Rig, trainee_factory: Any) -> None:
    ana = await trainee(rig, trainee_factory)
    lesson = rig.lesson()
    phone = await Phone().open(rig.url(await rig.person_of(ana)))
    reading_form, *_ = phone.button(en("lesson.next"))
    await read_to_quiz(rig, phone, 2)
    first_attempt, name, _ = phone.button(lesson.quiz[0].options[0])
    for question in lesson.quiz:  # every answer wrong: failed
        rig.tick()
        await phone.press(question.options[(question.answer + 1) % len(question.options)])
    assert en("quiz.failed", right=0, total=2, need=1) in phone.text
    for question in lesson.quiz:  # each missed question with its right answer
        answer = question.options[question.answer]
        assert en("quiz.missed", question=question.text, answer=answer) in phone.text
    assert phone.labels == [en("lesson.retry"), en("lesson.reread")]
    assert len(await rig.rows(ReviewItem)) == 2  # missed questions come back for review
    rig.tick()
    await phone.press(en("lesson.retry"))
    assert lesson.quiz[0].text in phone.text and (await rig.progress()).attempt == 2

    # The first attempt's question and an old card: nothing counted, the current question shown.
    await phone.submit(first_attempt, **{name: str(lesson.quiz[0].answer)})
    assert lesson.quiz[0].text in phone.text
    assert en("quiz.your_answer", answer=lesson.quiz[0].options[0]) not in phone.text
    await phone.submit(reading_form, move="next")
    assert lesson.quiz[0].text in phone.text
    row = await rig.progress()
    assert (row.status, row.attempt, row.question, row.card) == (LessonStatus.quiz, 2, 0, 1)
    assert len(await rig.rows(QuizAnswer)) == 2

    for question in lesson.quiz:  # failed again: this time read it from the first card
        rig.tick()
        await phone.press(question.options[(question.answer + 1) % len(question.options)])
    rig.tick()
    await phone.press(en("lesson.reread"))
    assert en("lesson_page.card", card=1, cards=2) in phone.text
    row = await rig.progress()
    assert (row.status, row.card, row.attempt) == (LessonStatus.reading, 0, 2)


async def test_a_form_we_did_not_draw_is_refused(rig: Rig, trainee_factory: Any) -> None:
    ana = await trainee(rig, trainee_factory)
    bo = await trainee(rig, trainee_factory, user="2", language="es")
    phone = await Phone().open(rig.url(await rig.person_of(ana)))
    form, name, value = phone.button(en("lesson.next"))
    bad = en("lesson_page.bad_link", lesson=en("menu.lesson"))
    for changed in ({"key": form.fields["key"][:-1] + "A"}, {"at": "r:1"}, {"lesson": "x"}):
        await Phone(url=phone.url).submit(form, **{name: value, **changed})
        refused = await Phone(url=phone.url).submit(form, **{name: value, **changed})
        assert refused.status == 403 and bad in refused.text
    bo_phone = Phone(url=rig.url(await rig.person_of(bo)))  # Ana's form on Bo's link
    refused = await bo_phone.submit(form, **{name: value})
    es = Translator("es")
    assert refused.status == 403 and es("lesson_page.bad_link", lesson=es("menu.lesson")) in (
        refused.text
    )
    forged = Phone(url=phone.url.replace(f"/lesson/{await rig.person_of(ana)}.", "/lesson/99."))
    assert (await forged.submit(form, **{name: value})).status == 403
    rig.clock[0] = NOW + LINK_LIFETIME
    expired = await Phone(url=phone.url).submit(form, **{name: value})
    assert expired.status == 403 and en("lesson_page.expired", lesson=en("menu.lesson")) in (
        expired.text
    )
    assert await rig.rows(LessonProgress) == []  # none of them moved anyone


async def test_the_last_lesson_passed_on_the_page_gives_the_certificate(
    rig: Rig, trainee_factory: Any
) -> None:
    ana = await trainee(rig, trainee_factory)
    phone = await Phone().open(rig.url(await rig.person_of(ana)))
    for slug in ("first-steps", "good-photos"):
        lesson = rig.lesson(slug)
        await read_to_quiz(rig, phone, len(lesson.cards))
        for question in lesson.quiz:
            rig.tick()
            await phone.press(question.options[question.answer])
        if slug == "first-steps":
            await phone.tap(en("lesson.next_lesson"))
    course = en("course.completed", name="Ana", course=rig.course.title["en"])
    assert course in phone.text
    (certificate,) = await rig.rows(Certificate)
    (image,) = phone.page.images
    png = await Phone().open(urljoin(phone.url, image))
    assert png.status == 200 and png.headers["Content-Type"] == "image/png"
    assert png.body.startswith(b"\x89PNG")
    await ana.send("/certificate")
    assert certificate.code in ana.texts[0]


async def test_the_chat_offers_the_page_on_a_lesson_s_first_card(
    rig: Rig, trainee_factory: Any
) -> None:
    ana = await trainee(rig, trainee_factory)
    await ana.send(en("menu.lesson"))
    assert "/lesson/" not in " ".join(ana.texts)  # no PUBLIC_URL, no link
    rig.runtime.settings.public_url = rig.server.base_url
    zh_person = await trainee(rig, trainee_factory, user="2", language="zh")
    await zh_person.send(Translator("zh")("menu.lesson"))
    card = zh_person.texts[-1]
    match = re.search(r"http://\S+/lesson/\S+", card)
    assert match is not None
    assert card.endswith(Translator("zh")("lesson_page.open_page", url=match.group()))
    phone = await Phone().open(match.group())
    assert phone.status == 200 and rig.lesson(language="zh").title in phone.text
    rig.tick()
    await zh_person.press(Translator("zh")("lesson.next"))
    assert "/lesson/" not in zh_person.texts[-1]  # only the first card carries it


async def test_a_next_lesson_link_opens_wherever_the_person_is(
    rig: Rig, trainee_factory: Any
) -> None:
    ana = await trainee(rig, trainee_factory)
    secret = rig.runtime.settings.lesson_link_secret
    person = await rig.person_of(ana)
    url = next_lesson_url(rig.server.base_url, secret, person, "sample", NOW)
    phone = await Phone().open(url)
    assert rig.lesson().title in phone.text
    await read_to_quiz(rig, phone, 2)
    for question in rig.lesson().quiz:
        rig.tick()
        await phone.press(question.options[question.answer])
    assert en("quiz.passed", number=1, right=2, total=2, percent=100) in phone.text
    await phone.open(url)
    assert rig.lesson("good-photos").title in phone.text


async def test_every_page_is_small_has_big_targets_and_asks_nothing_elsewhere(
    rig: Rig, trainee_factory: Any
) -> None:
    ana = await trainee(rig, trainee_factory, language="zh")
    phone = await Phone().open(rig.url(await rig.person_of(ana)))
    zh = Translator("zh")
    pages = [phone.html]
    await phone.press(zh("lesson.next"))
    await phone.press(zh("lesson.start_quiz"))
    pages.append(phone.html)
    for question in rig.lesson(language="zh").quiz:
        await phone.press(question.options[(question.answer + 1) % len(question.options)])
        pages.append(phone.html)
    for html in pages:
        size = len(html.encode())
        assert size < 100_000, size  # CSS inline, no script: the whole page before images
        assert "<script" not in html and "@import" not in html and "url(" not in html
        assert re.search(r'(src|href|action)="(https?:)?//', html) is None
        assert 'name="viewport" content="width=device-width' in html
    # In rem, so both follow the browser's font size (16 px by default): type of 20 px, tap
    # targets of at least 48 px (measured in the real layout in tests/web/browser).
    font = float(re.search(r"body \{[^}]*font: ([\d.]+)rem", pages[0]).group(1))  # type: ignore[union-attr]
    target = float(re.search(r"\.button \{[^}]*min-height: ([\d.]+)rem", pages[0]).group(1))  # type: ignore[union-attr]
    assert font * 16 >= 20 and target * 16 >= 48
    policy = phone.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "form-action 'self'" in policy


async def test_a_lesson_the_class_has_not_opened_yet_says_so_and_cannot_be_started(
    rig: Rig, trainee_factory: Any
) -> None:
    ana = await trainee(rig, trainee_factory)
    person_id = await rig.person_of(ana)
    async with rig.runtime.sessions() as session:
        cohort = Cohort(
            name="Peaches", course_id="sample", timezone="UTC", invite_code="PEACH1", unlocked=1
        )
        session.add(cohort)
        await session.flush()
        person = await session.get(Person, person_id)
        assert person is not None
        person.cohort_id = cohort.id
        await session.commit()
    phone = await Phone().open(rig.url(person_id, "good-photos"))
    assert phone.status == 200 and en("lesson.locked_soon", number=2) in phone.text
    assert "<form" not in phone.html  # nothing to press
    await phone.open(rig.url(person_id))  # lesson 1 is open
    assert phone.labels == [en("lesson.next")]
    assert await rig.rows(LessonProgress) == []


async def test_a_card_s_photo_is_on_its_page_and_served_for_this_link_only(
    rig: Rig, trainee_factory: Any
) -> None:
    ana = await trainee(rig, trainee_factory)
    person_id = await rig.person_of(ana)
    lesson = rig.lesson("good-photos")
    (with_photo,) = [i for i, card in enumerate(lesson.cards) if card.image is not None]
    phone = await Phone().open(rig.url(person_id, "good-photos"))
    assert phone.page.images == []  # the first card has none
    for _ in range(with_photo):
        rig.tick()
        await phone.press(en("lesson.next"))
    (src,) = phone.page.images
    photo = await Phone().open(urljoin(phone.url, src))
    assert photo.status == 200 and photo.headers["Content-Type"] == "image/png"
    assert lesson.cards[with_photo].image is not None
    assert photo.body == lesson.cards[with_photo].image.read_bytes()
    assert lesson.cards[with_photo].text.split("\n")[0] in phone.text
    base = urljoin(phone.url, src).rsplit("/", 1)[0]
    assert (await Phone().open(f"{base}/{len(lesson.cards)}")).status == 404
    assert (await Phone().open(f"{base}/0")).status == 404  # a card without a photo
    first = urljoin(phone.url, src).replace("/image/good-photos/", "/image/first-steps/")
    assert (await Phone().open(first)).status == 404  # another lesson than the link's
    forged = urljoin(phone.url, src).replace(f"/lesson/{person_id}.", "/lesson/99.")
    assert (await Phone().open(forged)).status == 403
