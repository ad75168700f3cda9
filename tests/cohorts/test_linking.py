"""One person on two channels (/link): the code made on one account, sent from the other, joins
them; progress continues at the same card; a finished lesson is never lost; codes are one-use,
short-lived and counted like class codes; roles never grow; /mydata and /forgetme see both."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot.cohorts.linking import LINK_CODE_TTL
from bot.core.messages import Sender
from bot.db.models import (
    ActivityDay,
    JoinAttempt,
    LessonProgress,
    LessonStatus,
    LinkCode,
    Membership,
    Person,
    QuizAnswer,
    Role,
)
from bot.i18n import Translator
from bot.runtime import Runtime, open_runtime
from tests.conftest import FixedClock, Trainee, make_settings, migrated_runtime
from tests.handlers.test_cohorts import make_lecturer, new_class

en, es = Translator("en"), Translator("es")
CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b")


def on(runtime: Runtime, channel: str, user_id: str, name: str = "Rosa") -> Trainee:
    """Someone writing to the Academy from `channel`, in Spanish."""
    who = Trainee(runtime, user_id, name, "es")
    who.sender = Sender(channel, user_id, display_name=name, language_hint="es")
    return who


async def link_code(who: Trainee) -> str:
    (reply,) = await who.send("/link")
    found = CODE.search(reply.text)
    assert found is not None, reply.text
    return found.group(0)


async def people(runtime: Runtime) -> list[Person]:
    async with runtime.sessions() as session:
        return list(await session.exec(select(Person).order_by(col(Person.id))))


async def attempts(runtime: Runtime) -> list[bool]:
    async with runtime.sessions() as session:
        return list(await session.exec(select(JoinAttempt.ok).order_by(col(JoinAttempt.id))))


async def read_cards(who: Trainee, school: Runtime, taps: int) -> str:
    """Open the lesson and go `taps` cards on; the card on screen."""
    clock = school.academy.services.clock
    assert isinstance(clock, FixedClock)
    await who.send(es("menu.lesson"))
    for _ in range(taps):
        clock.now += timedelta(seconds=10)
        await who.press(es("lesson.next"))
    return who.texts[-1]


async def pass_first_lesson(who: Trainee, school: Runtime) -> None:
    clock = school.academy.services.clock
    assert isinstance(clock, FixedClock)
    lesson = school.academy.services.courses["sample"].lesson("first-steps", "es")
    await read_cards(who, school, len(lesson.cards) - 1)
    clock.now += timedelta(seconds=10)
    await who.press(es("lesson.start_quiz"))
    for question in lesson.quiz:
        clock.now += timedelta(seconds=10)
        await who.press(question.options[question.answer])
    assert who.last[-1].text == es(
        "quiz.passed", number=1, right=len(lesson.quiz), total=len(lesson.quiz), percent=100
    )


async def test_on_another_channel_they_continue_at_the_same_card(school: Runtime) -> None:
    telegram = on(school, "telegram", "100")
    card = await read_cards(telegram, school, 1)
    code = await link_code(telegram)
    whatsapp = on(school, "whatsapp", "5215550001")
    await whatsapp.send("hola")  # a new account first, as when they write from the new app
    # Typed off the other phone: small letters, a space instead of the dash.
    await whatsapp.send(code.lower().replace("-", " "))
    assert whatsapp.texts == [es("link.linked")]
    assert whatsapp.menu is not None
    await whatsapp.send(es("menu.lesson"))
    assert whatsapp.texts[-1] == card  # the same card, on the other channel

    kept, alias = await people(school)
    # The account that made the code goes on; it has the channel they last wrote from, so
    # reminders and announcements reach them there.
    assert (kept.alias_of, kept.channel, kept.channel_user_id) == (None, "whatsapp", "5215550001")
    assert (alias.alias_of, alias.channel, alias.channel_user_id) == (kept.id, "telegram", "100")
    assert alias.reminder_time is None and alias.role == Role.trainee

    await telegram.send("/progress")  # back on Telegram: the identities swap back
    kept, alias = await people(school)
    assert (kept.channel, kept.channel_user_id) == ("telegram", "100")
    assert (alias.channel, alias.channel_user_id) == ("whatsapp", "5215550001")
    async with school.sessions() as session:
        progress = list(await session.exec(select(LessonProgress)))
    assert [(p.person_id, p.card) for p in progress] == [(kept.id, 1)]


async def test_a_lesson_passed_on_the_other_account_is_never_lost(school: Runtime) -> None:
    lecturer = await make_lecturer(school, "lec", "Li Na")
    cohort = await new_class(lecturer, "Duraznos")
    telegram = on(school, "telegram", "100")
    await read_cards(telegram, school, 1)  # lesson 1 begun here...
    whatsapp = on(school, "whatsapp", "5215550001")
    await whatsapp.send(f"/join {cohort.invite_code}")
    await pass_first_lesson(whatsapp, school)  # ...and passed there
    code = await link_code(telegram)
    await whatsapp.send(f"/link {code}")
    assert whatsapp.texts == [es("link.linked")]

    kept = next(p for p in await people(school) if p.alias_of is None and p.role == Role.trainee)
    async with school.sessions() as session:
        progress = list(await session.exec(select(LessonProgress)))
        answers = list(await session.exec(select(QuizAnswer)))
        members = list(await session.exec(select(Membership)))
        days = list(await session.exec(select(ActivityDay)))
    # Both studied today: the kept account's day stays, the alias keeps its twin (/mydata shows
    # it, /forgetme deletes it), the streak counts the day once.
    assert sorted((d.person_id == kept.id, d.day) for d in days) == [
        (False, days[0].day),
        (True, days[0].day),
    ]
    assert [(p.person_id, p.lesson, p.status) for p in progress] == [
        (kept.id, "first-steps", LessonStatus.passed)
    ]
    assert {a.person_id for a in answers} == {kept.id} and all(a.correct for a in answers)
    assert [(m.person_id, m.cohort_id) for m in members] == [(kept.id, cohort.id)]
    assert (kept.cohort_id, kept.course_id) == (cohort.id, cohort.course_id)


async def test_a_code_is_short_lived_one_use_and_counted_like_class_codes(school: Runtime) -> None:
    clock = school.academy.services.clock
    assert isinstance(clock, FixedClock)
    telegram, whatsapp = on(school, "telegram", "100"), on(school, "whatsapp", "5215550001")
    first = await link_code(telegram)
    await telegram.send(first)  # from the account that made it
    assert telegram.texts == [es("link.already")]
    second = await link_code(telegram)  # a new code replaces the old one
    await whatsapp.send(f"/link {first}")
    assert whatsapp.texts == [es("join.bad_code")]
    clock.now += LINK_CODE_TTL + timedelta(seconds=1)
    await whatsapp.send(f"/join {second}")
    assert whatsapp.texts == [es("link.expired")]
    assert await attempts(school) == [True, False, False]  # its own code was a right one
    async with school.sessions() as session:
        assert list(await session.exec(select(LinkCode))) == []
    assert all(p.alias_of is None for p in await people(school))

    third = await link_code(telegram)
    await whatsapp.send(third)
    assert whatsapp.texts == [es("link.linked")]
    other = on(school, "whatsapp", "5215550002", "Otro")
    await other.send(f"/link {third}")  # used: gone
    assert other.texts == [es("join.bad_code")]


async def test_wrong_codes_lock_out_but_plain_words_are_only_words(school: Runtime) -> None:
    settings = school.academy.services.settings
    whatsapp = on(school, "whatsapp", "5215550001")
    # Eight letters of the code alphabet: shaped like a code, but a word.
    for word in ("PERFECTA", "esperame"):
        await whatsapp.send(word)
        assert es("join.bad_code") not in whatsapp.texts
    assert await attempts(school) == []
    for _ in range(settings.join_max_failures):
        await whatsapp.send("2345-6789")  # a digit: a mistyped code
        assert whatsapp.texts[0] in (es("join.bad_code"),)
    await whatsapp.send("/link 2345-6789")
    assert whatsapp.texts[0].startswith(es("join.locked", time="")[:20])
    assert await attempts(school) == [False] * settings.join_max_failures


async def test_a_class_code_alone_joins_the_class(school: Runtime) -> None:
    lecturer = await make_lecturer(school, "lec", "Li Na")
    cohort = await new_class(lecturer, "Duraznos")
    whatsapp = on(school, "whatsapp", "5215550001")
    before = await attempts(school)
    await whatsapp.send(f"  {cohort.invite_code.lower()} ")  # as typed off the poster
    assert whatsapp.texts[0].startswith(es("join.welcome", cohort="Duraznos", course="")[:30])
    assert await attempts(school) == [*before, True]


async def test_linking_never_gives_more_rights(school: Runtime) -> None:
    lecturer = await make_lecturer(school, "lec", "Li Na")
    whatsapp = on(school, "whatsapp", "5215550001")
    # A trainee's code cannot turn a lecturer's account into a trainee's alias...
    code = await link_code(whatsapp)
    await lecturer.send(code)
    assert lecturer.texts == [en("link.outranks")]
    assert all(p.alias_of is None for p in await people(school))
    # ...the other way round the trainee's account becomes the lecturer's: their own code.
    code = await link_code(lecturer)
    await whatsapp.send(code)
    assert whatsapp.texts == [es("link.linked")]
    (answer,) = await whatsapp.send("/cohorts")  # the lecturer's, in the lecturer's language
    assert answer.text == en("cohort.none")


async def test_an_admin_is_an_admin_only_from_the_admin_ids_account(database_url: str) -> None:
    school = await migrated_runtime(make_settings(database_url, admin_ids="telegram:900"))
    school.academy.services.clock = FixedClock()
    try:
        boss = on(school, "telegram", "900", "Jefa")
        code = await link_code(boss)
        whatsapp = on(school, "whatsapp", "5215550009", "Jefa")
        await whatsapp.send(code)
        assert whatsapp.texts == [es("link.linked")]
        (refused,) = await whatsapp.send("/invite_coordinator")
        assert refused.text == es("access.denied")
        (invite,) = await boss.send("/invite_coordinator")
        assert CODE.search(invite.text)
        (kept,) = [p for p in await people(school) if p.alias_of is None]
        assert (kept.role, kept.channel) == (Role.admin, "telegram")
    finally:
        await school.close()
    # A restart makes the table agree with ADMIN_IDS without making the alias an admin.
    again = await open_runtime(make_settings(database_url, admin_ids="telegram:900"))
    try:
        roles = {(p.channel, p.alias_of is None): p.role for p in await people(again)}
        assert roles == {("telegram", True): Role.admin, ("whatsapp", False): Role.trainee}
    finally:
        await again.close()


async def test_mydata_lists_and_forgetme_forgets_every_linked_account(school: Runtime) -> None:
    telegram, whatsapp = on(school, "telegram", "100"), on(school, "whatsapp", "5215550001")
    await read_cards(whatsapp, school, 1)
    code = await link_code(telegram)
    await whatsapp.send(code)
    (mine,) = await telegram.send("/mydata")
    assert mine.document is not None
    data = json.loads(mine.document.read())
    assert data["person"]["channel"] == "telegram"
    (linked,) = data["linked_accounts"]
    assert (linked["person"]["channel"], linked["person"]["channel_user_id"]) == (
        "whatsapp",
        "5215550001",
    )
    await whatsapp.send("/forgetme")
    await whatsapp.press(es("privacy.forget_yes"))
    assert whatsapp.texts == [es("privacy.forgotten")]
    assert await people(school) == []
    async with school.sessions() as session:
        left = (await session.exec(select(func.count()).select_from(LessonProgress))).one()
    assert left == 0


async def test_two_channels_sending_one_code_at_once_link_one(database_url: str) -> None:
    settings = make_settings(database_url)
    runtimes = [await migrated_runtime(settings), await open_runtime(settings)]
    try:
        maker = on(runtimes[0], "telegram", "100")
        code = await link_code(maker)
        senders = [
            on(runtimes[0], "whatsapp", "5215550001"),
            on(runtimes[1], "console", "me"),
        ]
        answers = await asyncio.gather(*(who.send(code) for who in senders))
        texts = [reply.text for replies in answers for reply in replies]
        assert sorted(t == es("link.linked") for t in texts) == [False, True]
        assert next(t for t in texts if t != es("link.linked")) in (
            es("link.taken"),
            es("join.bad_code"),
        )
        aliases = [p for p in await people(runtimes[0]) if p.alias_of is not None]
        assert len(aliases) == 1
    finally:
        for runtime in runtimes:
            await runtime.close()
