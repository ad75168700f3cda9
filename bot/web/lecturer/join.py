"""A class's way in: its join link on each channel the bot runs on (as the chat makes it), a
printable QR code page, opening and closing joining, and a new code."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cohorts.service import qr_png, rotate_code
from bot.db.models import Cohort, Person, Role
from bot.i18n import Translator
from bot.pipeline.router import Services, join_command
from bot.web.guard import see_other
from bot.web.lecturer.common import class_path, form_of, services_of, viewed_class
from bot.web.pages import add_page, dashboard_of, render, viewer_of

CHANNEL_NAMES = {"telegram", "whatsapp", "wechat"}  # the rest show as they are called


@dataclass(frozen=True)
class JoinLink:
    """The class's invite on one channel: what its QR code encodes and what a person reads."""

    channel: str
    name: str  # the channel's name in the viewer's language
    target: str
    made: bool  # False: the channel could not make its link just now (`/join CODE` instead)
    main: bool  # the lecturer's own channel: where their posters reach the people they teach


def channel_name(t: Translator, channel: str) -> str:
    return t(f"web.channel_{channel}") if channel in CHANNEL_NAMES else channel


async def join_links(
    session: AsyncSession, services: Services, cohort: Cohort, t: Translator
) -> list[JoinLink]:
    """The class's link on every channel the bot runs on, the lecturer's own first (the chat's
    class card shows that one)."""
    main = ""
    if cohort.lecturer_id is not None:
        lecturer = await session.get(Person, cohort.lecturer_id)
        main = lecturer.channel if lecturer is not None else ""
    channels = sorted(set(services.offers) | ({main} if main else set()))
    channels.sort(key=lambda channel: channel != main)
    links = []
    for channel in channels:
        link = await services.class_link(session, channel, cohort.invite_code)
        target = link if link is not None else join_command(cohort.invite_code)
        links.append(
            JoinLink(channel, channel_name(t, channel), target, link is not None, channel == main)
        )
    return links


async def _links_for(request: web.Request) -> tuple[Cohort, list[JoinLink]]:
    services, t = services_of(request), Translator(viewer_of(request).language)
    async with dashboard_of(request).sessions() as session:
        cohort = await viewed_class(request, session)
        links = await join_links(session, services, cohort, t)
        await session.commit()  # a link a provider made (WeChat) is kept
    return cohort, links


def _chosen(request: web.Request, links: list[JoinLink]) -> JoinLink | None:
    wanted = request.query.get("channel", "")
    return next((link for link in links if link.channel == wanted), links[0] if links else None)


async def join_page(request: web.Request) -> web.Response:
    cohort, links = await _links_for(request)
    return render(
        request, "lecturer_join.html", cohort=cohort, links=links, base=class_path(cohort)
    )


async def print_page(request: web.Request) -> web.Response:
    cohort, links = await _links_for(request)
    return render(
        request,
        "lecturer_qr.html",
        cohort=cohort,
        link=_chosen(request, links),
        base=class_path(cohort),
    )


async def qr_image(request: web.Request) -> web.Response:
    _, links = await _links_for(request)
    link = _chosen(request, links)
    if link is None:
        raise web.HTTPNotFound()
    return web.Response(body=qr_png(link.target), content_type="image/png")


async def change_joining(request: web.Request) -> web.Response:
    """Open or close joining, or a new code (the old one stops working at once)."""
    action = (await form_of(request)).get("action", "")
    async with dashboard_of(request).sessions() as session:
        cohort = await viewed_class(request, session)
        if action == "rotate":
            await rotate_code(session, cohort)
        elif action in ("open", "close"):
            cohort.invite_open = action == "open"
            session.add(cohort)
        await session.commit()
    return see_other(class_path(cohort, "join") + f"?done={action}")


def add_join_routes(app: web.Application) -> None:
    add_page(app, "/web/classes/{id}/join", join_page, role=Role.lecturer)
    add_page(app, "/web/classes/{id}/join/print", print_page, role=Role.lecturer)
    add_page(app, "/web/classes/{id}/join/qr.png", qr_image, role=Role.lecturer)
    add_page(app, "/web/classes/{id}/join", change_joining, role=Role.lecturer, method="POST")
