"""The answer entries the viewer manages (the courses of their classes; a coordinator: every
course): course, language, question and answer, each to change or remove, through the same
functions as /answers in the chat (bot.qa.lecturer)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import AnswerEntry, Role
from bot.i18n import Translator
from bot.qa import lecturer
from bot.web.guard import see_other
from bot.web.lecturer.common import form_of, number_in
from bot.web.pages import PageNotFound, add_page, dashboard_of, render, viewer_of
from bot.web.viewer import visible_classes

ENTRIES = "/web/answers"


@dataclass(frozen=True)
class Shown:
    entry: AnswerEntry
    course: str  # its title in the viewer's language
    language: str  # the entry's language, named in that language


async def managed_courses(request: web.Request, session: AsyncSession) -> set[str] | None:
    """The courses whose entries the viewer manages; None: every course."""
    viewer = viewer_of(request)
    if viewer.sees_every_class:
        return None
    return {row.cohort.course_id for row in await visible_classes(session, viewer)}


async def managed_entry(request: web.Request, session: AsyncSession) -> AnswerEntry:
    entry = await session.get(AnswerEntry, number_in(request, "eid"))
    courses = await managed_courses(request, session)
    if entry is None or (courses is not None and entry.course_id not in courses):
        raise PageNotFound()
    return entry


async def entries_page(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses = dashboard.courses()
    async with dashboard.sessions() as session:
        entries = await lecturer.entries_of(session, await managed_courses(request, session))
    shown = []
    for entry in entries:
        course = courses.get(entry.course_id)
        title = course.text_in(course.title, viewer.language) if course else entry.course_id
        shown.append(Shown(entry, title, Translator(entry.language)("language.name")))
    return render(
        request,
        "lecturer_answers.html",
        shown=shown,
        done=request.query.get("done", ""),
        problem=request.query.get("problem", ""),
        limit=lecturer.ANSWER_LIMIT,
    )


async def change(request: web.Request) -> web.Response:
    """Edit an entry's answer, or remove it (after a page that asks to be sure)."""
    dashboard = dashboard_of(request)
    form = await form_of(request)
    action = form.get("action", "")
    async with dashboard.sessions() as session:
        entry = await managed_entry(request, session)
        if action == "edit":
            text = form.get("answer", "").replace("\r\n", "\n").strip()
            if not text or len(text) > lecturer.ANSWER_LIMIT:
                return see_other(f"{ENTRIES}?problem={entry.id}#e{entry.id}")
            lecturer.change_entry(session, entry, text, dashboard.clock())
        elif action == "remove":
            return render(request, "lecturer_answer_remove.html", entry=entry)
        elif action == "remove_confirmed":
            await session.delete(entry)
        else:
            raise PageNotFound()
        await session.commit()
    return see_other(f"{ENTRIES}?done={action}")


def add_answers_routes(app: web.Application) -> None:
    add_page(app, ENTRIES, entries_page, role=Role.lecturer)
    add_page(app, ENTRIES + "/{eid}", change, role=Role.lecturer, method="POST")
