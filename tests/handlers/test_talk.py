"""Small talk gets a warm word and the menu, questions about the class are answered from the
class's own plan and announcements (or passed to its lecturer), personal matters go straight to
the lecturer; none of them gets a lesson card, and no one without a class is offered a lecturer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from bot.core.messages import Reply
from bot.db.models import (
    Announcement,
    Cohort,
    Delivery,
    LessonPlan,
    Membership,
    Person,
    TraineeQuestion,
)
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.scheduling.plans import when_text
from tests.conftest import Trainee, make_settings, migrated_runtime

en, es, zh = Translator("en"), Translator("es"), Translator("zh")
MEXICO = "America/Mexico_City"


def buttons(replies: list[Reply]) -> list[str]:
    return [b.label for reply in replies for row in reply.buttons for b in row]


async def questions(runtime: Runtime) -> list[TraineeQuestion]:
    async with runtime.sessions() as session:
        return list(await session.exec(select(TraineeQuestion).order_by(TraineeQuestion.id)))


async def in_a_class(runtime: Runtime, trainee: Trainee, lecturer: bool = True) -> Cohort:
    """The trainee in the class "Duraznos de Tetela" (Mexico City time), with lecturer Li."""
    await trainee.send("/start")
    li = Trainee(runtime, "lec", "Li", "es")
    await li.send("/start")
    async with runtime.sessions() as session:
        people = {p.channel_user_id: p for p in await session.exec(select(Person))}
        cohort = Cohort(
            name="Duraznos de Tetela",
            course_id="sample",
            timezone=MEXICO,
            lecturer_id=people["lec"].id if lecturer else None,
            invite_code=f"CODE-{trainee.sender.user_id}",
        )
        session.add(cohort)
        await session.flush()
        people["lec"].role = "lecturer"
        me = people[trainee.sender.user_id]
        me.cohort_id = cohort.id
        session.add_all([people["lec"], me, Membership(cohort_id=cohort.id, person_id=me.id)])
        await session.commit()
        return cohort


async def test_a_first_hello_before_start_is_a_warm_welcome(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "es")
    replies = await ana.send("hola buenas tardes")
    assert replies[0].text.startswith(es("start.welcome", name="Ana"))
    assert ana.button(es("start.lesson", number=1)) is not None
    (again,) = await ana.send("hola")  # the welcome once; then a warm word and the menu
    assert (again.text, again.menu is not None) == (es("talk.hello"), True)
    assert await questions(school) == []


async def test_thanks_and_nods_get_a_warm_word_and_the_menu_not_a_card(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "es")
    await ana.send("/start")  # done with the welcome: "buenas noches" is small talk
    for text, key in [
        ("gracias maestra", "talk.thanks"),
        ("Graciasss!!", "talk.thanks"),
        ("👍", "talk.ok"),
        ("jajaja", "talk.ok"),
        ("buenas noches", "talk.hello"),
        ("adios", "talk.bye"),
    ]:
        (reply,) = await ana.send(text)
        assert (reply.text, reply.buttons) == (es(key), ()), text
        assert reply.menu is not None
    wang = Trainee(school, "wang", "王", "zh")
    await wang.send("/start")
    assert (await wang.send("谢谢老师"))[0].text == zh("talk.thanks")
    assert (await wang.send("好的"))[0].text == zh("talk.ok")
    assert await questions(school) == []


async def test_a_course_question_that_starts_with_hello_is_still_answered(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    (answer,) = await ana.send("hi teacher, my photo is dark, how do I use daylight by a window?")
    assert answer.buttons[0][0].payload == "qa:read:good-photos"


async def test_the_next_lesson_is_answered_from_the_plan_in_the_class_time_zone(
    school: Runtime,
) -> None:
    ana = Trainee(school, "ana", "Ana", "es")
    cohort = await in_a_class(school, ana)
    now = school.academy.services.clock()
    async with school.sessions() as session:
        session.add(
            LessonPlan(
                cohort_id=cohort.id,
                start_date=date(2026, 5, 4),
                weekdays="0,2,4",
                time="19:00",
                status="active",
            )
        )
        session.add(
            Announcement(
                cohort_id=cohort.id,
                text="En vivo el martes",
                status="scheduled",
                send_at=now + timedelta(days=1),
            )
        )
        await session.commit()
    (reply,) = await ana.send("¿Qué día es la próxima junta del grupo?")
    # Monday 2026-05-04 19:00 in Mexico City (UTC-6), the plan's first step after 09:00 UTC.
    lesson_day, lesson_time = when_text(datetime(2026, 5, 5, 1, 0, tzinfo=now.tzinfo), MEXICO, "es")
    assert es("talk.next_lesson", date=lesson_day, time=lesson_time) in reply.text
    message_day, message_time = when_text(now + timedelta(days=1), MEXICO, "es")
    assert es("talk.next_message", date=message_day, time=message_time) in reply.text
    assert "19:00" in reply.text
    assert es("qa.ask_lecturer") not in buttons([reply])
    assert await questions(school) == []


async def test_without_a_plan_the_class_question_goes_to_the_lecturer(school: Runtime) -> None:
    wang = Trainee(school, "wang", "王", "zh")
    await in_a_class(school, wang)
    replies = await wang.send("下次上课是什么时候？")
    assert replies[0].text == zh("talk.class_unknown")
    await wang.press(zh("qa.ask_lecturer"))
    assert wang.texts == [zh("qa.handed_off")]
    (question,) = await questions(school)
    assert question.handed_off and question.mode == "none" and question.sources == ""


async def test_who_is_my_lecturer_and_which_class(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    await in_a_class(school, ana)
    expected = en("talk.your_class", cohort="Duraznos de Tetela", name="Li")
    assert (await ana.send("who is my teacher?"))[0].text == expected
    assert (await ana.send("which class am I in"))[0].text == expected


async def test_class_questions_without_a_class_offer_no_lecturer(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "es")
    await ana.send("/start")
    for text in ["cuando es la proxima clase", "quien es mi maestra"]:
        replies = await ana.send(text)
        assert replies[0].text == es("talk.no_class"), text
        assert buttons(replies) == []
    assert await questions(school) == []


async def test_a_phone_number_goes_to_the_lecturer_never_to_the_course(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "es")
    await in_a_class(school, ana)
    text = "¿Me puede llamar? Mi celular es 777 123 4567"
    (reply,) = await ana.send(text)
    assert reply.text == es("qa.personal_sent")
    (question,) = await questions(school)
    assert (question.handed_off, question.mode, question.sources) == (True, "none", "")
    async with school.sessions() as session:
        (delivery,) = await session.exec(select(Delivery).where(Delivery.kind == "question"))
    assert delivery.ref == f"q:{question.id}"
    # Never served from the shared cache to someone else.
    eve = Trainee(school, "eve", "Eve", "es")
    await in_a_class(school, eve)
    assert (await eve.send(text))[0].text == es("qa.personal_sent")
    assert [q.mode for q in await questions(school)] == ["none", "none"]


async def test_a_personal_matter_without_a_class_is_kept_nowhere(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    replies = await ana.send("I am sick, please call me")
    assert replies[0].text == en("qa.personal_alone")
    assert buttons(replies) == []
    assert await questions(school) == []


async def test_not_covered_without_a_class_offers_no_lecturer(school: Runtime) -> None:
    ana = Trainee(school, "ana", "Ana", "en")
    await ana.send("/start")
    replies = await ana.send("Who won the football match last night?")
    assert replies[0].text == en("qa.not_covered_alone")
    assert en("qa.ask_lecturer") not in buttons(replies)
    bob = Trainee(school, "bob", "Bob", "en")
    await in_a_class(school, bob)
    replies = await bob.send("Who won the football match last night?")
    assert replies[0].text == en("qa.not_covered")
    assert en("qa.ask_lecturer") in buttons(replies)


async def test_the_daily_quota_offers_no_lecturer_to_someone_without_a_class(
    database_url: str,
) -> None:
    runtime = await migrated_runtime(make_settings(database_url, qa_daily_quota=1))
    try:
        ana = Trainee(runtime, "ana", "Ana", "en")
        await ana.send("/start")
        await ana.send("How do I use daylight by a window for photos?")
        (reply,) = await ana.send("What is a good price?")
        assert reply.text == en("qa.quota_alone", quota=1)
        bob = Trainee(runtime, "bob", "Bob", "en")
        await in_a_class(runtime, bob)
        await bob.send("How do I use daylight by a window for photos?")
        assert (await bob.send("What is a good price?"))[0].text == en("qa.quota", quota=1)
    finally:
        await runtime.close()
