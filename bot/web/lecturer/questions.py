"""The questions trainees passed to the viewer (the lecturer of their class; a coordinator:
every class), each with an answer box. An answer goes out exactly as the chat's /answer sends
it (bot.qa.lecturer.send_answer: the delivery engine takes it to the trainee on their channel),
and may then be kept as an answer entry, as the chat offers."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Cohort, Role, TraineeQuestion
from bot.qa import lecturer
from bot.qa.entries import times_asked
from bot.web.guard import see_other
from bot.web.lecturer.common import form_of, number_in
from bot.web.pages import PageNotFound, add_page, dashboard_of, render, viewer_of
from bot.web.viewer import class_for, visible_classes

QUESTIONS = "/web/questions"


@dataclass(frozen=True)
class Waiting:
    """A question waiting for the viewer's answer."""

    question: TraineeQuestion
    asker: str
    cohort: str


async def answerable(request: web.Request, session: AsyncSession) -> TraineeQuestion:
    """The question `{qid}` when it was passed to a class the viewer may see (a coordinator:
    also one of a trainee in no class, as the chat allows); a 404 page otherwise."""
    viewer = viewer_of(request)
    question = await session.get(TraineeQuestion, number_in(request, "qid"))
    if question is None or not question.handed_off:
        raise PageNotFound()
    if question.cohort_id is None:
        if not viewer.sees_every_class:
            raise PageNotFound()
    elif await class_for(session, viewer, question.cohort_id) is None:
        raise PageNotFound()
    return question


async def questions_page(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    answered = request.query.get("answered", "")
    async with dashboard.sessions() as session:
        classes: dict[int, Cohort] = {
            row.cohort.id or 0: row.cohort for row in await visible_classes(session, viewer)
        }
        rows = await lecturer.open_questions(session, classes, limit=100)
        waiting = [
            Waiting(question, name, classes[question.cohort_id or 0].name)
            for question, name in rows
        ]
        just = None
        if answered.isdigit() and len(answered) <= 12:
            found = await session.get(TraineeQuestion, int(answered))
            if found is not None and found.lecturer_answer is not None:
                cohort = found.cohort_id
                if (cohort is not None and cohort in classes) or viewer.sees_every_class:
                    just = found
        times = await times_asked(session, just, dashboard.clock()) if just else 0
    return render(
        request,
        "lecturer_questions.html",
        waiting=waiting,
        just=just,
        keep=just is not None and lecturer.may_become_entry(just),
        times=times,
        kept=request.query.get("kept", ""),
        problem=request.query.get("problem", ""),
        limit=lecturer.ANSWER_LIMIT,
    )


async def answer(request: web.Request) -> web.Response:
    dashboard = dashboard_of(request)
    text = (await form_of(request)).get("answer", "").replace("\r\n", "\n").strip()
    async with dashboard.sessions() as session:
        question = await answerable(request, session)
        if question.lecturer_answer is not None:  # answered meanwhile (in the chat, or twice)
            return see_other(f"{QUESTIONS}?answered={question.id}")
        if not text or len(text) > lecturer.ANSWER_LIMIT:
            return see_other(f"{QUESTIONS}?problem={question.id}#q{question.id}")
        await lecturer.send_answer(session, question, text, dashboard.clock())
        await session.commit()
    return see_other(f"{QUESTIONS}?answered={question.id}")


async def keep(request: web.Request) -> web.Response:
    """The answer kept as an entry of the question's course and language (as the chat's "add
    to the answers")."""
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    async with dashboard.sessions() as session:
        question = await answerable(request, session)
        if not lecturer.may_become_entry(question):
            raise PageNotFound()
        entry = await lecturer.keep_as_entry(session, question, viewer.person_id, dashboard.clock())
        await session.commit()
    return see_other(f"{QUESTIONS}?kept={'new' if entry else 'already'}")


def add_question_routes(app: web.Application) -> None:
    add_page(app, QUESTIONS, questions_page, role=Role.lecturer)
    add_page(app, QUESTIONS + "/{qid}", answer, role=Role.lecturer, method="POST")
    add_page(app, QUESTIONS + "/{qid}/keep", keep, role=Role.lecturer, method="POST")
