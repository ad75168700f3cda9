"""Open questions on the web: the questions passed to the viewer's classes, answered from an
answer box with the chat's own function (the delivery engine takes the answer to the trainee on
their channel), then kept as an answer entry as the chat offers; another lecturer's question
is not theirs."""

from __future__ import annotations

from sqlmodel import select

from bot.db.models import AnswerEntry, Delivery, Membership, Role, TraineeQuestion
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.web.conftest import DashboardSite, add_class, add_person
from tests.web.lecturer import Recorder, engine_of, lecturer_with_class, person_named

en = Translator("en")
QUESTION = "How do I price <peaches> for the city?"


async def passed_question(
    runtime: Runtime, class_id: int, user_id: str, text: str = QUESTION
) -> int:
    """A question the member `user_id` of the class passed to its lecturer; its id."""
    person = await person_named(runtime, user_id)
    async with runtime.sessions() as session:
        member = await session.exec(select(Membership).where(Membership.person_id == person.id))
        assert member.one().cohort_id == class_id
        question = TraineeQuestion(
            person_id=person.id or 0,
            cohort_id=class_id,
            course_id="sample",
            language="en",
            text=text,
            normalised="price peaches city",
            handed_off=True,
        )
        session.add(question)
        await session.commit()
        assert question.id is not None
        return question.id


async def stored(runtime: Runtime, question_id: int) -> TraineeQuestion:
    async with runtime.sessions() as session:
        question = await session.get(TraineeQuestion, question_id)
        assert question is not None
        return question


async def test_an_answer_from_the_web_reaches_the_trainee_and_can_be_kept(
    dashboard: DashboardSite,
) -> None:
    runtime = dashboard.runtime
    lecturer = await lecturer_with_class(dashboard)
    number = await passed_question(runtime, lecturer.class_id, "Peaches-member-0")
    page = await lecturer.browser.get("/web/questions")
    assert page.status == 200
    assert page.shows(QUESTION) and "<peaches>" not in page.text
    assert f'action="/web/questions/{number}"' in page.text

    answer = "Twice the village price, and say it is fresh <today>."
    sent = await lecturer.browser.post(f"/web/questions/{number}", {"answer": answer})
    assert sent.status == 303
    question = await stored(runtime, number)
    assert question.lecturer_answer == answer and question.answered_at == dashboard.now
    async with runtime.sessions() as session:
        (delivery,) = await session.exec(select(Delivery).where(Delivery.ref == f"q:{number}"))
    assert (delivery.kind, delivery.person_id) == ("answer", question.person_id)
    recorder = Recorder()
    await engine_of(runtime, recorder).tick()
    expected = en("qa.lecturer_answer", question=QUESTION, answer=answer)
    assert expected in recorder.texts_to("Peaches-member-0")

    shown = await lecturer.browser.get(sent.location)
    assert shown.shows(en("qa.answer_sent", number=number))
    assert not shown.shows(QUESTION)  # no longer waiting
    assert shown.shows(en("answers.add"))
    kept = await lecturer.browser.post(f"/web/questions/{number}/keep")
    assert (await lecturer.browser.get(kept.location)).shows(en("web.q_kept"))
    again = await lecturer.browser.post(f"/web/questions/{number}/keep")
    assert (await lecturer.browser.get(again.location)).shows(en("answers.already"))
    async with runtime.sessions() as session:
        (entry,) = await session.exec(select(AnswerEntry))
    assert (entry.question, entry.answer, entry.lecturer_id) == (
        QUESTION,
        answer,
        lecturer.person_id,
    )
    # The chat agrees: nothing waits any more.
    await lecturer.chat.send("/questions")
    assert lecturer.chat.texts == [en("qa.none_open")]
    await lecturer.close()


async def test_an_answered_question_is_not_answered_twice(dashboard: DashboardSite) -> None:
    runtime = dashboard.runtime
    lecturer = await lecturer_with_class(dashboard)
    number = await passed_question(runtime, lecturer.class_id, "Peaches-member-1")
    await lecturer.browser.get("/web/questions")
    await lecturer.chat.send(f"/answer {number} From the chat")
    late = await lecturer.browser.post(f"/web/questions/{number}", {"answer": "From the web"})
    assert late.status == 303
    assert (await stored(runtime, number)).lecturer_answer == "From the chat"
    empty = await lecturer.browser.post(f"/web/questions/{number}", {"answer": " "})
    assert empty.status == 303
    await lecturer.close()


async def test_another_lecturers_question_is_neither_shown_nor_answered(
    dashboard: DashboardSite,
) -> None:
    runtime = dashboard.runtime
    lecturer = await lecturer_with_class(dashboard)
    other = await add_person(runtime, Role.lecturer, name="Other")
    theirs = await add_class(runtime, "Honey", other, members=1)
    number = await passed_question(runtime, theirs, "Honey-member-0", "Is honey sweet?")
    page = await lecturer.browser.get("/web/questions")
    assert not page.shows("Is honey sweet?") and page.shows(en("qa.none_open"))
    refused = await lecturer.browser.post(f"/web/questions/{number}", {"answer": "Yes"})
    assert refused.status == 404
    assert (await lecturer.browser.post(f"/web/questions/{number}/keep")).status == 404
    no_csrf = await lecturer.browser.post(f"/web/questions/{number}", {"answer": "Yes"}, csrf="")
    assert no_csrf.status == 403
    assert (await stored(runtime, number)).lecturer_answer is None
    coordinator = await add_person(runtime, Role.coordinator, name="Coco")
    async with await dashboard.signed_in(coordinator) as browser:
        assert (await browser.get("/web/questions")).shows("Is honey sweet?")
        answered = await browser.post(f"/web/questions/{number}", {"answer": "Yes"})
        assert answered.status == 303
    assert (await stored(runtime, number)).lecturer_answer == "Yes"
    await lecturer.close()
