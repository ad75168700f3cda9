"""A class page (`/web/classes/{id}`: its trainees, who is stuck, its charts, its spreadsheet)
and a trainee page (`/web/trainees/{id}`: every lesson and quiz question of their course).

Who may see them is `bot.web.viewer`'s rule: a class through `class_for`; a trainee when the
viewer sees every class, or may see one of the trainee's classes. Anything else is the same 404
as an id that does not exist, so nobody learns which ids exist by trying them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.db.models import Role
from bot.i18n import Translator
from bot.stats.dashboard import activity_over_time, programme_overview
from bot.stats.labels import export_labels, svg_labels
from bot.stats.model import UnknownCourse
from bot.stats.people import class_page, trainee_page
from bot.stats.queries import cohort_stats, trainee_rows
from bot.stats.svg import activity_svg, completion_svg
from bot.stats.views import MemberRow, UnknownTrainee
from bot.web.figures import figures_context
from bot.web.pages import PageNotFound, add_page, dashboard_of, render, viewer_of
from bot.web.tables import filter_of, headers, link, matches, sorted_rows, sorting_of
from bot.web.viewer import class_for

CLASS = "/web/classes/{cohort_id:\\d+}"
CLASS_DOWNLOAD = "/web/classes/{cohort_id:\\d+}/trainees.xlsx"
TRAINEE = "/web/trainees/{person_id:\\d+}"
STUCK_ONLY = "stuck"  # ?show=stuck: only the trainees who are stuck


def average(member: MemberRow) -> float | None:
    """The mean of their best scores of finished quizzes (None when none), as in the export."""
    done = [s for s in member.best_scores if s is not None]
    return sum(done) / len(done) if done else None


MEMBER_SORTS = {
    "name": lambda m: (m.name.casefold(), m.person_id),
    "reached": lambda m: m.reached,
    "passed": lambda m: m.passed,
    "average": average,
    "last_active": lambda m: m.last_active,
    "reminders": lambda m: m.reminders_on,
    "stuck": lambda m: m.stuck,
}
MEMBER_NUMERIC = ("reached", "passed", "average", "last_active", "stuck")


def _id(request: web.Request, name: str) -> int:
    return int(request.match_info[name])


async def class_view(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses, now, language = dashboard.courses(), dashboard.clock(), viewer.language
    async with dashboard.sessions() as session:
        cohort = await class_for(session, viewer, _id(request, "cohort_id"))
        if cohort is None or cohort.id is None or cohort.course_id not in courses:
            raise PageNotFound()
        page = await class_page(session, courses, cohort.id, now, language)
        overview = await programme_overview(
            session, courses, now, language, cohort_ids=[cohort.id], course_id=cohort.course_id
        )
        activity = await activity_over_time(session, cohort.course_id, now, cohort_ids=[cohort.id])
    t = Translator(language)
    typed = filter_of(request)
    stuck_only = request.query.get("show") == STUCK_ONLY
    sorting = sorting_of(request, MEMBER_SORTS, "name")
    members = [m for m in page.members if matches(m.name, typed) and (m.stuck or not stuck_only)]
    members = sorted_rows(members, sorting, MEMBER_SORTS)
    labels = svg_labels(t)
    course = courses[cohort.course_id]
    return render(
        request,
        "class.html",
        page=page,
        course_title=course.text_in(course.title, language),
        overview=overview,
        activity=activity,
        completion_chart=completion_svg(overview.lessons, overview.enrolled, labels),
        activity_chart=activity_svg(activity, labels),
        members=members,
        average=average,
        typed=typed,
        stuck_only=stuck_only,
        stuck_links={
            "all": link(request, show=None) + "#members",
            "stuck": link(request, show=STUCK_ONLY) + "#members",
        },
        heads=headers(
            request,
            sorting,
            {c: t(f"web.class_page.col_{c}") for c in MEMBER_SORTS},
            numeric=MEMBER_NUMERIC,
            fragment="members",
        ),
        keep={k: v for k, v in request.query.items() if k in ("show", "sort", "dir")},
        download=CLASS_DOWNLOAD.replace("{cohort_id:\\d+}", str(cohort.id))
        if viewer.sees_every_class
        else "",
        **figures_context(),
    )


async def class_download(request: web.Request) -> web.Response:
    """The class's trainees as the chat's spreadsheet (coordinators and admins, as in chat)."""
    from bot.stats.export import XLSX_MIME, trainees_xlsx

    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses, now = dashboard.courses(), dashboard.clock()
    window = timedelta(days=dashboard.settings.unreachable_after_days)
    async with dashboard.sessions() as session:
        cohort = await class_for(session, viewer, _id(request, "cohort_id"))
        if cohort is None or cohort.id is None or cohort.course_id not in courses:
            raise PageNotFound()
        stats = await cohort_stats(
            session, courses, cohort.id, now, viewer.language, unreachable_after=window
        )
        course = courses[cohort.course_id]
        rows = await trainee_rows(session, course, cohort.id, now, unreachable_after=window)
    labels = export_labels(Translator(viewer.language))
    data = trainees_xlsx(course, rows, labels, stats, viewer.language)
    return web.Response(
        body=data,
        content_type=XLSX_MIME,
        headers={"Content-Disposition": f'attachment; filename="trainees-{cohort.id}.xlsx"'},
    )


@dataclass(frozen=True)
class ClassLink:
    id: int
    name: str


async def trainee_view(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses, language = dashboard.courses(), viewer.language
    wanted = request.query.get("course")
    async with dashboard.sessions() as session:
        try:
            page = await trainee_page(
                session,
                courses,
                _id(request, "person_id"),
                language,
                course_id=wanted if wanted in courses else None,
            )
        except (UnknownTrainee, UnknownCourse):
            raise PageNotFound() from None
        shown = [
            ClassLink(cohort_id, name)
            for cohort_id, name in page.cohorts
            if await class_for(session, viewer, cohort_id) is not None
        ]
    if not viewer.sees_every_class and not shown:
        raise PageNotFound()
    course = courses[page.course_id]
    return render(
        request,
        "trainee.html",
        page=page,
        classes=shown,
        course_title=course.text_in(course.title, language),
        **figures_context(),
    )


def add_people_routes(app: web.Application) -> None:
    add_page(app, CLASS, class_view, role=Role.lecturer)
    add_page(app, CLASS_DOWNLOAD, class_download, role=Role.coordinator)
    add_page(app, TRAINEE, trainee_view, role=Role.lecturer)
