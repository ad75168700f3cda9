"""The programme page (`/web/programme`): the programme at a glance, its charts, the classes side
by side, the quiz questions most missed and the questions trainees asked, for one course; and the
spreadsheet download (the chat's XLSX).

A coordinator or admin sees every class; a lecturer the same page over their own classes only
(`visible_classes`), so the figures are those of their classes (bot/stats/dashboard.py defines a
set of classes). The download is for coordinators and admins, as in the chat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.db.models import Role
from bot.i18n import Translator
from bot.lessons.model import Course
from bot.stats.asked import AskedFilter, missed_questions, questions_asked
from bot.stats.dashboard import (
    activity_over_time,
    class_rows,
    programme_overview,
    sort_classes,
)
from bot.stats.labels import export_labels, svg_labels
from bot.stats.queries import cohort_stats, trainee_rows
from bot.stats.svg import activity_svg, completion_svg
from bot.stats.views import ClassSort
from bot.web.figure_cache import FIGURE_CACHE, FigureCache, ProgrammeFigures
from bot.web.figures import figures_context
from bot.web.pages import PageNotFound, add_page, dashboard_of, render, viewer_of
from bot.web.people import add_people_routes
from bot.web.tables import filter_of, headers, link, matches, sorting_of
from bot.web.viewer import visible_classes

PROGRAMME = "/web/programme"
DOWNLOAD = "/web/programme/trainees.xlsx"
CLASS_COLUMNS = tuple(s.value for s in ClassSort)
NUMERIC = CLASS_COLUMNS[2:]  # every column but the class's and the lecturer's name


@dataclass(frozen=True)
class CourseChoice:
    """A course in the picker: its id, its title in the viewer's language, and its link."""

    id: str
    title: str
    href: str
    chosen: bool


def course_choices(
    request: web.Request, courses: Mapping[str, Course], ids: list[str], chosen: str, language: str
) -> list[CourseChoice]:
    return [
        CourseChoice(
            id=i,
            title=courses[i].text_in(courses[i].title, language),
            href=link(request, course=i, sort=None, dir=None, q=None),
            chosen=i == chosen,
        )
        for i in ids
    ]


async def programme(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses, now, language = dashboard.courses(), dashboard.clock(), viewer.language
    async with dashboard.sessions() as session:
        visible = await visible_classes(session, viewer)
    offered = sorted({r.cohort.course_id for r in visible if r.cohort.course_id in courses})
    if not offered:
        return render(request, "programme.html", overview=None)
    ids = None if viewer.sees_every_class else [r.cohort.id for r in visible if r.cohort.id]
    wanted = request.query.get("course")
    chosen = wanted if wanted in offered else None

    async def count() -> ProgrammeFigures:
        async with dashboard.sessions() as session:
            overview = await programme_overview(
                session, courses, now, language, cohort_ids=ids, course_id=chosen
            )
            course_id = overview.course_id
            activity = await activity_over_time(session, course_id, now, cohort_ids=ids)
            rows = await class_rows(session, courses, now, cohort_ids=ids)
            _, missed = await missed_questions(
                session, courses, language, cohort_ids=ids, course_id=course_id
            )
        return ProgrammeFigures(
            overview=overview,
            activity=activity,
            classes=tuple(r for r in rows if r.course_id == course_id),
            missed=tuple(missed),
            counted_at=now,
        )

    view = (chosen, None if ids is None else tuple(ids), language)
    counted = await request.app[FIGURE_CACHE].figures(view, now, count)
    overview, activity, rows = counted.overview, counted.activity, counted.classes
    course_id = overview.course_id
    asked_filter = _asked_filter(request.query.get("asked", ""))
    async with dashboard.sessions() as session:
        _, asked = await questions_asked(
            session, courses, cohort_ids=ids, course_id=course_id, which=asked_filter
        )
    typed = filter_of(request)
    sorting = sorting_of(request, CLASS_COLUMNS, ClassSort.name.value)
    shown = [r for r in rows if matches(f"{r.name} {r.lecturer}", typed)]
    shown = sort_classes(shown, ClassSort(sorting.column), sorting.descending)
    t = Translator(language)
    t_labels = svg_labels(t)
    names = {r.cohort.id: r.cohort.name for r in visible}
    return render(
        request,
        "programme.html",
        overview=overview,
        courses=course_choices(request, courses, offered, course_id, language),
        completion_chart=completion_svg(overview.lessons, overview.enrolled, t_labels),
        activity=activity,
        activity_chart=activity_svg(activity, t_labels),
        classes=shown,
        classes_total=len(rows),
        counted_at=counted.counted_at,
        typed=typed,
        sorting=sorting,
        heads=headers(
            request,
            sorting,
            {c: t(f"web.programme.col_{c}") for c in CLASS_COLUMNS},
            numeric=NUMERIC,
            fragment="classes",
        ),
        keep={k: v for k, v in request.query.items() if k in ("course", "sort", "dir", "asked")},
        missed=counted.missed,
        asked=asked,
        asked_filter=asked_filter.value,
        asked_links={
            f.value: link(request, asked=None if f is AskedFilter.all else f.value) + "#asked"
            for f in AskedFilter
        },
        class_names=names,
        download=(DOWNLOAD + f"?course={course_id}") if viewer.sees_every_class else "",
        **figures_context(),
    )


def _asked_filter(value: str) -> AskedFilter:
    try:
        return AskedFilter(value)
    except ValueError:
        return AskedFilter.all


async def download(request: web.Request) -> web.Response:
    """Every trainee of a course's classes as the chat's spreadsheet, in the viewer's language."""
    from bot.stats.export import XLSX_MIME, trainees_xlsx

    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses, now = dashboard.courses(), dashboard.clock()
    course_id = request.query.get("course", "")
    if course_id not in courses:
        raise PageNotFound()
    window = timedelta(days=dashboard.settings.unreachable_after_days)
    async with dashboard.sessions() as session:
        stats = await cohort_stats(
            session,
            courses,
            None,
            now,
            viewer.language,
            course_id=course_id,
            unreachable_after=window,
        )
        course = courses[course_id]
        rows = await trainee_rows(session, course, None, now, unreachable_after=window)
    data = trainees_xlsx(
        course, rows, export_labels(Translator(viewer.language)), stats, viewer.language
    )
    return web.Response(
        body=data,
        content_type=XLSX_MIME,
        headers={"Content-Disposition": f'attachment; filename="trainees-{course_id}.xlsx"'},
    )


def add_programme_routes(app: web.Application) -> None:
    """The programme page and its download, with the class and trainee pages it links to."""
    app[FIGURE_CACHE] = FigureCache()
    add_page(app, PROGRAMME, programme, role=Role.lecturer)
    add_page(app, DOWNLOAD, download, role=Role.coordinator)
    add_people_routes(app)
