"""Lecturers' answers kept as entries: added from the confirmation, proposed when the same
question came up twice, given at once to the next trainee who asks it, changed and removed with
/answers, out of a trainee's reach, and kept unsigned when the lecturer is forgotten."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.core.messages import Incoming, Reply
from bot.core.payloads import AddEntry, EntryAction, EntryTap
from bot.db.models import AnswerEntry, Cohort, Membership, Person, TraineeQuestion
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings, migrated_runtime

en, es, zh = Translator("en"), Translator("es"), Translator("zh")
FOOTBALL = "Who won the football match last night?"
ANSWER = "The village shop shows the matches; ask there."


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await migrated_runtime(make_settings(database_url))
    try:
        yield runtime
    finally:
        await runtime.close()


async def in_class(runtime: Runtime, *trainees: Trainee) -> Trainee:
    """The trainees in one class of the sample course, taught by "lec" (returned)."""
    lecturer = Trainee(runtime, "lec", "Li", "en")
    for person in (lecturer, *trainees):
        await person.send("/start")
    async with runtime.sessions() as session:
        people = {p.channel_user_id: p for p in await session.exec(select(Person))}
        cohort = Cohort(
            name="Peaches",
            course_id="sample",
            timezone="UTC",
            lecturer_id=people["lec"].id,
            invite_code="ABCD-EFGH",
        )
        session.add(cohort)
        await session.flush()
        people["lec"].role = "lecturer"
        session.add(people["lec"])
        for trainee in trainees:
            me = people[trainee.sender.user_id]
            me.cohort_id = cohort.id
            session.add_all([me, Membership(cohort_id=cohort.id, person_id=me.id)])
        await session.commit()
    return lecturer


async def tap(person: Trainee, payload: str) -> list[Reply]:
    """A button pressed that the person was not necessarily shown (a forged payload)."""
    return await person._handle(Incoming.button(person.sender, payload))


async def passed_on(trainee: Trainee, text: str) -> int:
    """`text` asked, not covered, passed to the lecturer: its question number."""
    t = Translator(trainee.sender.language_hint or "en")
    (reply,) = await trainee.send(text)
    assert reply.text == t("qa.not_covered")
    await trainee.press(t("qa.ask_lecturer"))
    async with trainee.runtime.sessions() as session:
        found = await session.exec(select(TraineeQuestion).where(TraineeQuestion.text == text))
        return found.one().id or 0


async def test_the_answer_is_added_and_the_next_trainee_gets_it_at_once(school: Runtime) -> None:
    ana, ben = Trainee(school, "ana", "Ana", "en"), Trainee(school, "ben", "Ben", "en")
    li = await in_class(school, ana, ben)
    number = await passed_on(ana, FOOTBALL)
    (sent,) = await li.send(f"/answer {number} {ANSWER}")
    assert sent.text == en("qa.answer_sent", number=number)  # asked once: no proposal
    (added,) = await li.press(en("answers.add"))
    assert added.text == en("answers.added", question=FOOTBALL)

    (answer,) = await ben.send("who won last night's football match")
    assert answer.text == en("qa.from_lecturer") + "\n\n" + ANSWER
    assert answer.buttons == ()  # answered: nothing to pass on
    async with school.sessions() as session:
        stored = (
            await session.exec(select(TraineeQuestion).where(TraineeQuestion.id > number))
        ).one()
        entry = (await session.exec(select(AnswerEntry))).one()
    assert (stored.mode, stored.answered) == ("lecturer", True)
    assert (entry.course_id, entry.language, entry.question, entry.answer) == (
        "sample",
        "en",
        FOOTBALL,
        ANSWER,
    )
    # A vaguer question is not the same one, and a covered question still gets its lesson.
    assert (await ben.send("who won?"))[0].text != answer.text
    photo = await ben.send("My photo is dark. How do I use daylight by a window?")
    assert photo[0].text.startswith(en("qa.from_lesson", title="")[:10])


async def test_a_second_tap_adds_nothing(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    li = await in_class(school, ana)
    number = await passed_on(ana, FOOTBALL)
    await li.send(f"/answer {number} {ANSWER}")
    await li.press(en("answers.add"))
    assert (await tap(li, AddEntry(number).pack()))[0].text == en("answers.already")
    async with school.sessions() as session:
        assert len(list(await session.exec(select(AnswerEntry)))) == 1


async def test_the_same_question_twice_is_proposed(school: Runtime) -> None:
    rosa, luis = Trainee(school, "rosa", "Rosa", "es"), Trainee(school, "luis", "Luis", "es")
    li = await in_class(school, rosa, luis)
    await passed_on(rosa, "¿Quién ganó el partido de fútbol anoche?")
    second = await passed_on(luis, "quien gano el partido de futbol de anoche")
    (sent,) = await li.send(f"/answer {second} Pregunte en la tienda del pueblo.")
    assert sent.text == en("answers.propose", number=second, times=2)
    await li.press(en("answers.add"))
    async with school.sessions() as session:
        entry = (await session.exec(select(AnswerEntry))).one()
    assert (entry.language, entry.answer) == ("es", "Pregunte en la tienda del pueblo.")
    carmen = Trainee(school, "carmen", "Carmen", "es")
    (answer,) = await carmen.send("¿quién ganó el partido de fútbol de anoche?")
    assert answer.text == es("qa.from_lecturer") + "\n\nPregunte en la tienda del pueblo."


async def test_in_chinese_too(school: Runtime) -> None:
    wang = Trainee(school, "wang", "王", "zh")
    li = await in_class(school, wang)
    number = await passed_on(wang, "昨晚的足球比赛谁赢了？")
    await li.send(f"/answer {number} 去村里小卖部问问。")
    await li.press(en("answers.add"))
    zhao = Trainee(school, "zhao", "赵", "zh")
    (answer,) = await zhao.send("昨天晚上足球比赛谁赢了")
    assert answer.text == zh("qa.from_lecturer") + "\n\n去村里小卖部问问。"


async def test_a_lecturer_changes_and_removes_an_entry(school: Runtime) -> None:
    ana, ben = Trainee(school, "ana", "Ana", "en"), Trainee(school, "ben", "Ben", "en")
    li = await in_class(school, ana)
    number = await passed_on(ana, FOOTBALL)
    await li.send(f"/answer {number} {ANSWER}")
    await li.press(en("answers.add"))

    (listed,) = await li.send("/answers")
    assert listed.text.startswith(en("answers.title", count=1))
    assert f"1. [English] {FOOTBALL}" in listed.text
    await li.press(f"1. {FOOTBALL}"[:40])
    await li.press(en("answers.edit"))
    assert li.texts == [en("answers.send_new", question=FOOTBALL)]
    (changed,) = await li.send("It was 2 to 1 for the village team.")
    assert changed.text == en("answers.edited")
    (answer,) = await ben.send(FOOTBALL)
    assert answer.text.endswith("\n\nIt was 2 to 1 for the village team.")

    await li.press(en("answers.remove"))
    assert li.texts == [en("answers.confirm_remove", question=FOOTBALL)]
    await li.press(en("answers.yes_remove"))
    assert li.texts == [en("answers.removed")]
    (declined,) = await ben.send(FOOTBALL)
    assert declined.text == en("qa.not_covered_alone")  # ben is in no class
    assert (await li.send("/answers"))[0].text == en("answers.none")


async def test_answers_are_paged_with_at_most_three_buttons(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    li = await in_class(school, ana)
    async with school.sessions() as session:
        for n in range(5):
            session.add(
                AnswerEntry(
                    course_id="sample",
                    language="en",
                    question=f"Question {n}",
                    answer=f"Answer {n}",
                    created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC),
                )
            )
        await session.commit()
    pages = [await li.send("/answers")]
    for _ in range(2):
        pages.append(await li.press(en("answers.more")))
    for page in pages:
        assert sum(len(row) for row in page[0].buttons) <= 3
    assert "5. [English] Question 4" in pages[2][0].text
    assert en("answers.more") not in [b.label for row in pages[2][0].buttons for b in row]


async def test_a_trainee_cannot_reach_the_lecturer_actions(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    li = await in_class(school, ana)
    number = await passed_on(ana, FOOTBALL)
    await li.send(f"/answer {number} {ANSWER}")
    await li.press(en("answers.add"))
    async with school.sessions() as session:
        entry = (await session.exec(select(AnswerEntry))).one()
    assert (await ana.send("/answers"))[0].text == en("access.denied")
    for payload in (
        AddEntry(number).pack(),
        EntryTap(EntryAction.edit, entry.id or 0).pack(),
        EntryTap(EntryAction.confirm, entry.id or 0).pack(),
    ):
        assert (await tap(ana, payload))[0].text == en("access.denied")
    # A lecturer of another course's class may not touch it either.
    other = Trainee(school, "lec2", "Mo", "en")
    await other.send("/start")
    async with school.sessions() as session:
        person = (await session.exec(select(Person).where(Person.channel_user_id == "lec2"))).one()
        person.role = "lecturer"
        session.add(person)
        await session.commit()
    assert (await other.send("/answers"))[0].text == en("answers.none")
    remove = EntryTap(EntryAction.confirm, entry.id or 0).pack()
    assert (await tap(other, remove))[0].text == en("access.denied")
    async with school.sessions() as session:
        assert (await session.exec(select(AnswerEntry))).one().answer == ANSWER


async def test_a_forgotten_lecturer_leaves_the_entry_unsigned(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    li = await in_class(school, ana)
    number = await passed_on(ana, FOOTBALL)
    await li.send(f"/answer {number} {ANSWER}")
    await li.press(en("answers.add"))
    await li.send("/forgetme")
    await li.press(en("privacy.forget_yes"))
    async with school.sessions() as session:
        entry = (await session.exec(select(AnswerEntry))).one()
    assert entry.lecturer_id is None and entry.answer == ANSWER


async def test_an_entry_that_matches_well_wins_over_the_card_and_the_cache(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    photo = "My photo is dark. How do I use daylight by a window?"
    (card,) = await ana.send(photo)  # the lesson's card, cached for a week
    assert card.text.startswith(en("qa.from_lesson", title="")[:10])
    async with school.sessions() as session:
        now = datetime.now(UTC)
        session.add(
            AnswerEntry(
                course_id="sample",
                language="en",
                question=photo,
                answer="Stand with your back to the window at ten in the morning.",
                created_at=now,
                updated_at=now,
            )
        )
        await session.commit()
    (answer,) = await ana.send(photo.lower())
    assert answer.text == (
        en("qa.from_lecturer") + "\n\nStand with your back to the window at ten in the morning."
    )
