"""A class's announcements: write one, see it as a trainee will, send it now or at one of the
times the chat offers (in the class's time zone, out of quiet hours), call off one not gone out,
and the list with each one's delivery report as the chat words it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    Announcement,
    AnnouncementStatus,
    Cohort,
    DeliveryKind,
    DeliveryStatus,
    Role,
)
from bot.i18n import Translator
from bot.scheduling import announcements, plans, store
from bot.scheduling.compose import announcement_header
from bot.web.guard import see_other
from bot.web.lecturer.common import class_path, form_of, number_in, services_of, viewed_class
from bot.web.pages import PageNotFound, add_page, dashboard_of, render, viewer_of
from bot.zones import zone_name

LISTED = 50  # the latest announcements on the page


@dataclass(frozen=True)
class Listed:
    """An announcement as the list shows it."""

    announcement: Announcement
    status: str  # the catalog key of its state
    when: str  # "Monday, 4 May 2026 19:00" in the class's zone; "" for a draft
    report: tuple[str, ...]  # the chat's report lines, once it has gone out
    may_call_off: bool


async def _report(
    session: AsyncSession, t: Translator, announcement: Announcement, now: datetime
) -> tuple[str, ...]:
    if announcement.send_at is None or announcement.send_at > now:
        return ()
    numbers = await store.counts(
        session, kind=DeliveryKind.announcement, ref=announcements.ref_of(announcement)
    )
    lines = [
        t(
            "announce.report",
            sent=numbers.get(DeliveryStatus.sent, 0),
            failed=numbers.get(DeliveryStatus.failed, 0),
            blocked=numbers.get(DeliveryStatus.blocked, 0),
        )
    ]
    waiting = numbers.get(DeliveryStatus.pending, 0) + numbers.get(DeliveryStatus.sending, 0)
    if waiting and announcement.status == AnnouncementStatus.scheduled:
        lines.append(t("web.ann_still_going", count=waiting))
    receipts = await announcements.receipts_line(session, t, announcement)
    return (*lines, *receipts.splitlines())


def _when(announcement: Announcement, cohort: Cohort, language: str) -> str:
    if announcement.send_at is None:
        return ""
    day, at = plans.when_text(announcement.send_at, cohort.timezone, language)
    return f"{day} {at}"


async def _note(
    session: AsyncSession, t: Translator, cohort: Cohort, text: str, now: datetime
) -> str:
    """What just happened to the announcement numbered `text` (of this class), in the chat's
    words; "" for anything else."""
    if not text.isdigit() or len(text) > 12:
        return ""
    announcement = await session.get(Announcement, int(text))
    if announcement is None or announcement.cohort_id != cohort.id:
        return ""
    numbers = await store.counts(
        session, kind=DeliveryKind.announcement, ref=announcements.ref_of(announcement)
    )
    count = sum(n for status, n in numbers.items() if status != DeliveryStatus.cancelled)
    if announcement.status == AnnouncementStatus.cancelled:
        sent = numbers.get(DeliveryStatus.sent, 0)
        return t("announce.called_off_late" if sent else "announce.called_off", sent=sent)
    if announcement.send_at is None:
        return ""
    if announcement.send_at <= now:
        return t("announce.sending", count=count)
    day, at = plans.when_text(announcement.send_at, cohort.timezone, t.language)
    return t("announce.scheduled", count=count, date=day, time=at)


async def list_page(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    t, now = Translator(viewer.language), dashboard.clock()
    async with dashboard.sessions() as session:
        cohort = await viewed_class(request, session)
        members = len(await plans.member_ids(session, cohort.id or 0))
        found = await session.exec(
            select(Announcement)
            .where(
                Announcement.cohort_id == cohort.id,
                Announcement.status != AnnouncementStatus.draft,
            )
            .order_by(col(Announcement.created_at).desc(), col(Announcement.id).desc())
            .limit(LISTED)
        )
        listed = [
            Listed(
                announcement=announcement,
                status=f"web.ann_status_{announcement.status.value}",
                when=_when(announcement, cohort, viewer.language),
                report=await _report(session, t, announcement, now),
                may_call_off=announcement.status == AnnouncementStatus.scheduled,
            )
            for announcement in list(found)
        ]
        note = await _note(session, t, cohort, request.query.get("note", ""), now)
    return render(
        request,
        "lecturer_announcements.html",
        cohort=cohort,
        base=class_path(cohort),
        members=members,
        limit=announcements.LIMIT,
        listed=listed,
        note=note,
        problem=request.query.get("problem", ""),
        zone=zone_name(cohort.timezone, viewer.language),
    )


async def write(request: web.Request) -> web.Response:
    """A draft from the form's text, then its preview (as the chat's answer to the text)."""
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    text = (await form_of(request)).get("text", "").replace("\r\n", "\n").strip()
    async with dashboard.sessions() as session:
        cohort = await viewed_class(request, session)
        back = class_path(cohort, "announcements")
        if not await plans.member_ids(session, cohort.id or 0):
            return see_other(back + "?problem=members")
        if not text:
            return see_other(back + "?problem=empty")
        if len(text) > announcements.LIMIT:
            return see_other(back + "?problem=long")
        announcement = announcements.draft(
            session, cohort, viewer.person_id, text, dashboard.clock()
        )
        await session.flush()
        path = f"{back}/{announcement.id}"
        await session.commit()
    return see_other(path)


async def _announcement(request: web.Request, session: AsyncSession) -> tuple[Cohort, Announcement]:
    cohort = await viewed_class(request, session)
    announcement = await session.get(Announcement, number_in(request, "aid"))
    if announcement is None or announcement.cohort_id != cohort.id:
        raise PageNotFound()
    return cohort, announcement


async def preview_page(request: web.Request) -> web.Response:
    """The draft as a trainee will see it, with when it can go."""
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    t, now = Translator(viewer.language), dashboard.clock()
    quiet = services_of(request).settings.quiet
    async with dashboard.sessions() as session:
        cohort, announcement = await _announcement(request, session)
        members = len(await plans.member_ids(session, cohort.id or 0))
        header = await announcement_header(session, t, announcement)
    if announcement.status != AnnouncementStatus.draft:
        return see_other(class_path(cohort, "announcements") + f"?note={announcement.id}")
    options = announcements.send_options(now, cohort.timezone, quiet)
    return render(
        request,
        "lecturer_announcement.html",
        cohort=cohort,
        base=class_path(cohort),
        announcement=announcement,
        header=header,
        heading=t("announce.preview", count=members, name=cohort.name),
        options=[
            (code.value, announcements.when_label(t, now, instant, cohort.timezone))
            for code, instant in options.items()
        ],
        zone=zone_name(cohort.timezone, viewer.language),
    )


async def act(request: web.Request) -> web.Response:
    """Send or schedule a draft (`when`), drop a draft, or call off a scheduled one."""
    dashboard = dashboard_of(request)
    form = await form_of(request)
    quiet = services_of(request).settings.quiet
    now = dashboard.clock()
    async with dashboard.sessions() as session:
        cohort, announcement = await _announcement(request, session)
        back = class_path(cohort, "announcements")
        action, status = form.get("action", ""), announcement.status
        if action == "send" and status == AnnouncementStatus.draft:
            options = announcements.send_options(now, cohort.timezone, quiet)
            when = next((at for code, at in options.items() if code == form.get("when")), None)
            if when is None:  # a time offered a while ago that is not offered now
                return see_other(f"{back}/{announcement.id}")
            await announcements.schedule(session, announcement, when)
        elif action == "drop" and status == AnnouncementStatus.draft:
            announcement.status = AnnouncementStatus.cancelled
            session.add(announcement)
        elif action == "call_off" and status == AnnouncementStatus.scheduled:
            await announcements.call_off(session, announcement)
        await session.commit()
    return see_other(f"{back}?note={announcement.id}")


def add_announcement_routes(app: web.Application) -> None:
    path = "/web/classes/{id}/announcements"
    add_page(app, path, list_page, role=Role.lecturer)
    add_page(app, path, write, role=Role.lecturer, method="POST")
    add_page(app, path + "/{aid}", preview_page, role=Role.lecturer)
    add_page(app, path + "/{aid}", act, role=Role.lecturer, method="POST")
