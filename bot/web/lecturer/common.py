"""What the lecturer's pages share: the class in the address (404 when the viewer may not see
it), the chat's services, and reading a posted form."""

from __future__ import annotations

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Cohort
from bot.pipeline.router import Services
from bot.web.pages import PageNotFound, dashboard_of, viewer_of
from bot.web.viewer import class_for


def number_in(request: web.Request, name: str) -> int:
    """A whole number from the address (`{id}`); PageNotFound for anything else."""
    text = request.match_info.get(name, "")
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise PageNotFound()
    return int(text)


async def viewed_class(request: web.Request, session: AsyncSession) -> Cohort:
    """The class `{id}` of the address when the viewer may see it; a 404 page otherwise (the
    same for a class that is not theirs, so they cannot learn which exist)."""
    cohort = await class_for(session, viewer_of(request), number_in(request, "id"))
    if cohort is None:
        raise PageNotFound()
    return cohort


def services_of(request: web.Request) -> Services:
    """The chat's services; a dashboard without them has none of these pages' actions."""
    services = dashboard_of(request).services
    if services is None:
        raise PageNotFound()
    return services


async def form_of(request: web.Request) -> dict[str, str]:
    """The posted form's text fields (a repeated field: its values joined by commas)."""
    form = await request.post()
    fields: dict[str, str] = {}
    for key in form:
        values = [value for value in form.getall(key) if isinstance(value, str)]
        fields[key] = ",".join(values)
    return fields


def class_path(cohort: Cohort, page: str = "") -> str:
    return f"/web/classes/{cohort.id}{'/' + page if page else ''}"
