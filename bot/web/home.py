"""The dashboard's home page: the classes the viewer may see, with what a lecturer or
coordinator looks up most (course, lecturer, members, join code)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.db.models import Role
from bot.web.pages import HOME, add_page, dashboard_of, render, viewer_of
from bot.web.viewer import visible_classes


@dataclass(frozen=True)
class ClassLine:
    """One class as the home page's table shows it."""

    id: int
    name: str
    course: str
    lecturer: str
    members: int
    join_code: str
    join_open: bool


async def home(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses = dashboard.courses()
    async with dashboard.sessions() as session:
        rows = await visible_classes(session, viewer)
    lines = []
    for row in rows:
        cohort = row.cohort
        assert cohort.id is not None
        course = courses.get(cohort.course_id)
        title = course.text_in(course.title, viewer.language) if course else cohort.course_id
        lines.append(
            ClassLine(
                id=cohort.id,
                name=cohort.name,
                course=title,
                lecturer=row.lecturer,
                members=row.members,
                join_code=cohort.invite_code,
                join_open=cohort.invite_open,
            )
        )
    return render(request, "home.html", classes=lines)


def add_home_routes(app: web.Application) -> None:
    add_page(app, HOME, home, role=Role.lecturer)
