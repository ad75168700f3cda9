"""The course page, /web/course: a lecturer downloads a course's workbook, uploads one back,
reads the check and a preview, publishes; the course's owner and admins see its versions and
restore one.

- GET  /web/course                 the courses they may download, the upload form, the history
- GET  /web/course/{course}.xlsx   the workbook of a course they may edit or their class follows
- POST /web/course/upload          (multipart, streamed) checked as it arrives: over the cap it
                                   is refused before the rest is read; then the report, a
                                   preview and a Publish button (the files wait in staging)
- POST /web/course/publish         the staged files published (once), as the viewer
- POST /web/course/restore         a version published again (owner, admins)
The web publishes through the same rules as the chat (bot.lessons.publishing); the running bot
serves it at its next content check (CONTENT_CHECK_SECONDS).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import BodyPartReader, MultipartReader, web

from bot.db.models import Role
from bot.handlers.lessons import plain
from bot.i18n import Translator
from bot.lessons.content import ContentError
from bot.lessons.publishing import (
    PublishRefused,
    UnknownVersion,
    owner_of,
    publish_course,
    refusal,
    restore_course,
)
from bot.lessons.staging import Staged, Upload, changed_lesson, check_upload, claim, find, stage
from bot.lessons.versions import PersonRef, Version, versions
from bot.lessons.workbook import MAX_BYTES, export_course, too_big
from bot.web.pages import (
    Dashboard,
    PageNotFound,
    PageRefused,
    add_page,
    dashboard_of,
    render,
    upload_reader,
    viewer_of,
)
from bot.web.viewer import Viewer, visible_classes

PAGE = "/web/course"
REFUSALS = {
    "not_lecturer": "sheet.refused.not_lecturer",
    "starter": "sheet.refused.starter",
    "not_author": "sheet.refused.not_author",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class CourseLine:
    """A course on the page: its workbook to download, its versions when the viewer keeps it."""

    id: str
    title: str
    versions: tuple[Version, ...] = ()


@dataclass(frozen=True)
class Preview:
    """The first card of the lesson a trainee would see first among those that changed."""

    number: int
    title: str
    card: str


def person_ref(viewer: Viewer) -> PersonRef:
    return PersonRef(viewer.person_id, viewer.name, viewer.role)


async def course_ids(request: web.Request) -> list[str]:
    """The courses whose workbook the viewer may have: every one for coordinators and admins;
    for a lecturer those they may publish and their classes' courses."""
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses = dashboard.courses()
    if viewer.sees_every_class:
        return sorted(courses)
    async with dashboard.sessions() as session:
        classes = await visible_classes(session, viewer)
    theirs = {row.cohort.course_id for row in classes}
    author = person_ref(viewer)
    return sorted(
        cid for cid in courses if cid in theirs or refusal(dashboard.settings, cid, author) is None
    )


def keeps(request: web.Request, course_id: str) -> bool:
    """Whether the viewer sees the course's versions and may restore one: admins and the
    lecturer who created it."""
    viewer = viewer_of(request)
    if viewer.at_least(Role.admin):
        return True
    owner = owner_of(dashboard_of(request).settings, course_id)
    return owner is not None and owner.id == viewer.person_id


async def course_page(
    request: web.Request,
    *,
    report: Upload | None = None,
    staged: Staged | None = None,
    preview: Preview | None = None,
    notice: str = "",
) -> web.Response:
    """The page, with the check of an upload (`report`) and what waits for Publish."""
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    courses = dashboard.courses()
    lines = []
    for cid in await course_ids(request):
        course = courses[cid]
        history = tuple(versions(dashboard.settings, cid)) if keeps(request, cid) else ()
        lines.append(CourseLine(cid, course.text_in(course.title, viewer.language), history))
    return render(
        request,
        "course.html",
        courses=lines,
        limit=f"{MAX_BYTES // (1024 * 1024)} MB",
        report=report,
        staged=staged,
        preview=preview,
        notice=notice,
    )


async def show(request: web.Request) -> web.Response:
    return await course_page(request)


async def download(request: web.Request) -> web.Response:
    course_id = request.match_info["course"]
    if course_id not in await course_ids(request):
        raise PageNotFound()
    course = dashboard_of(request).courses()[course_id]
    assert course.root is not None
    language = viewer_of(request).language
    sheets = language if language in course.languages else course.languages[0]
    data = await asyncio.to_thread(export_course, course.root, sheets)
    return web.Response(
        body=data,
        content_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{course_id}.xlsx"'},
    )


async def read_upload(request: web.Request) -> bytes | int | None:
    """The uploaded file's bytes; its size so far (an int) once it is over the cap, the rest
    unread; None when no file came."""
    declared = request.content_length or 0
    if declared > MAX_BYTES + 64 * 1024:  # the form's other fields are a few hundred bytes
        return declared
    reader = upload_reader(request)
    if reader is None and request.content_type == "multipart/form-data":
        reader = await request.multipart()
    if not isinstance(reader, MultipartReader):
        return None
    part = await reader.next()
    if isinstance(part, BodyPartReader) and part.name == "csrf":  # the token came as a header
        part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != "workbook":
        return None  # our form sends nothing else: nothing more is read
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > MAX_BYTES:
            return len(data)
    return bytes(data) if data else None


async def upload(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    t = Translator(viewer.language)
    got = await read_upload(request)
    if got is None:
        return await course_page(request, notice=t("course_page.no_file"))
    if isinstance(got, int):
        refused = too_big(got, viewer.language)
        assert refused is not None
        return await course_page(request, report=Upload(refused))
    checked = await asyncio.to_thread(check_upload, dashboard.settings, got, viewer.language)
    if not checked.result.ok or checked.course_id is None:
        return await course_page(request, report=checked)
    why = refusal(dashboard.settings, checked.course_id, person_ref(viewer))
    if why is not None:
        notice = t(REFUSALS[why.value], course=checked.course_id)
        return await course_page(request, report=checked, notice=notice)
    staged = await asyncio.to_thread(
        stage, dashboard.settings, checked, viewer.person_id, dashboard.clock()
    )
    return await course_page(
        request, report=checked, staged=staged, preview=preview_of(request, staged)
    )


def preview_of(request: web.Request, staged: Staged) -> Preview | None:
    course = staged.course
    if course is None or not course.lessons:
        return None
    language = viewer_of(request).language
    slug = changed_lesson(course, dashboard_of(request).courses().get(course.id), language)
    lesson = course.lesson(slug, language)
    return Preview(course.number(slug), lesson.title, plain(lesson.cards[0].text))


async def publish(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    t = Translator(viewer.language)
    form = await request.post()
    stage_id = str(form.get("stage", ""))
    waiting = find(dashboard.settings, stage_id)
    if waiting is None or waiting.person_id != viewer.person_id:
        return await course_page(request, notice=t("sheet.gone"))
    staged = await asyncio.to_thread(claim, dashboard.settings, stage_id)
    if staged is None:
        return await course_page(request, notice=t("sheet.gone"))
    try:
        version = await asyncio.to_thread(
            publish_course,
            dashboard.settings,
            staged.course_id,
            staged.files,
            author=person_ref(viewer),
            now=dashboard.clock(),
        )
    except PublishRefused as refused:
        notice = t(REFUSALS[refused.why.value], course=staged.course_id)
        return await course_page(request, notice=notice)
    except ContentError:
        return await course_page(request, notice=t("sheet.publish_failed"))
    await _serve_now(dashboard)
    notice = t("course_page.published", course=staged.course_id, version=version.number)
    return await course_page(request, notice=notice)


async def restore(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    form = await request.post()
    course_id, number = str(form.get("course", "")), str(form.get("version", ""))
    if course_id not in dashboard.courses() or not number.isdigit():
        raise PageNotFound()
    if not keeps(request, course_id):
        raise PageRefused()
    try:
        version = await asyncio.to_thread(
            restore_course,
            dashboard.settings,
            course_id,
            int(number),
            author=person_ref(viewer),
            now=dashboard.clock(),
        )
    except UnknownVersion:
        raise PageNotFound() from None
    except PublishRefused:
        raise PageRefused() from None
    await _serve_now(dashboard)
    t = Translator(viewer.language)
    notice = t("course_page.restored", course=course_id, old=number, version=version.number)
    return await course_page(request, notice=notice)


async def _serve_now(dashboard: Dashboard) -> None:
    """The version just published served by this process at once (the question index rebuilt),
    not at its next content check; other workers see it at theirs."""
    services = dashboard.services
    if services is not None and services.reload_content is not None:
        await services.reload_content()


def add_course_routes(app: web.Application) -> None:
    add_page(app, PAGE, show, role=Role.lecturer)
    add_page(app, PAGE + "/{course}.xlsx", download, role=Role.lecturer)
    add_page(app, PAGE + "/upload", upload, role=Role.lecturer, method="POST", streamed=True)
    add_page(app, PAGE + "/publish", publish, role=Role.lecturer, method="POST")
    add_page(app, PAGE + "/restore", restore, role=Role.lecturer, method="POST")
