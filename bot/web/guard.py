"""The one gate in front of every dashboard page (everything under /web): who is signed in,
whether a form really came from our page, and the headers every answer carries.

- Static files and the sign-in pages (`add_public_page`) need no session.
- Any other path needs a live session cookie: without one a GET is sent to the page saying how
  to get a sign-in link (303), anything else gets a 403 page. The session's person becomes
  the request's `Viewer`.
- Every request that changes something (not GET/HEAD/OPTIONS) carries the session's CSRF token,
  in the form field `csrf` or the header `X-CSRF-Token`; missing or wrong: 403. An upload
  page (`add_page(..., streamed=True)`) gets it as the form's first field, the rest unread.
- A page's PageRefused / PageNotFound become 403 / 404 pages in the viewer's language.
"""

from __future__ import annotations

import hmac

from aiohttp import BodyPartReader, web

from bot.db.models import Role
from bot.db.web_sign_in import SESSION_IDLE, find_session
from bot.web.pages import (
    HOME,
    SIGN_IN_HELP,
    STATIC,
    UPLOAD,
    VIEWER,
    Handler,
    PageNotFound,
    PageRefused,
    dashboard_of,
    is_framed,
    is_public,
    is_streamed,
    message_page,
    secure_headers,
)
from bot.web.viewer import Viewer

COOKIE = "academy_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_YEAR = "public, max-age=31536000, immutable"
_HOUR = "public, max-age=3600"


def under_dashboard(path: str) -> bool:
    return path == HOME or path.startswith(HOME + "/")


def set_session_cookie(response: web.StreamResponse, value: str, *, secure: bool) -> None:
    """The session's cookie: not readable by scripts, sent on top-level navigation from other
    sites but not on their forms or frames, only to /web, HTTPS-only where we are on HTTPS."""
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(SESSION_IDLE.total_seconds()),
        path=HOME,
        httponly=True,
        samesite="Lax",
        secure=secure,
    )


def from_another_site(request: web.Request) -> bool:
    """Whether the browser says the request comes from another site's page (Fetch Metadata):
    a sign-in form posted from elsewhere would sign the visitor in as someone else."""
    return request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none")


def see_other(location: str) -> web.Response:
    """A 303 to `location` (after a POST, the browser GETs it)."""
    return web.Response(status=303, headers={"Location": location})


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path=HOME)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """See the module's docstring."""
    path = request.path
    if not under_dashboard(path):
        return await handler(request)
    if path.startswith(STATIC):
        response = await handler(request)
        response.headers["Cache-Control"] = _YEAR if "v" in request.query else _HOUR
        secure_headers(response, framed=False)
        return response
    route = request.match_info.handler
    if is_public(route):
        response = await _answer(request, handler)
        secure_headers(response, framed=is_framed(route))
        return response
    response = await _signed_in(request, handler)
    secure_headers(response, framed=False)
    return response


async def _signed_in(request: web.Request, handler: Handler) -> web.StreamResponse:
    dashboard = dashboard_of(request)
    cookie = request.cookies.get(COOKIE, "")
    async with dashboard.sessions() as session:
        found = await find_session(session, cookie, dashboard.clock())
        if found is not None and found.renewed:
            await session.commit()
    if found is None:
        if request.method in _SAFE_METHODS:
            response: web.StreamResponse = see_other(SIGN_IN_HELP)
        else:
            response = message_page(request, "web.signed_out", 403)
        if cookie:
            clear_session_cookie(response)
        return response
    person = found.person
    assert person.id is not None
    viewer = Viewer(
        person_id=person.id,
        role=Role(person.role),
        language=person.language,
        name=person.display_name,
        csrf=found.record.csrf_token,
    )
    request[VIEWER] = viewer
    if request.method not in _SAFE_METHODS and not await _csrf_ok(request, viewer.csrf):
        return message_page(request, "web.csrf_refused", 403)
    response = await _answer(request, handler)
    if found.renewed and not response.prepared:  # a streamed response has sent its headers
        set_session_cookie(response, cookie, secure=dashboard.secure_cookies)
    return response


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER, "")
    multipart = request.content_type == "multipart/form-data"
    if not sent and multipart and is_streamed(request.match_info.handler):
        sent = await _first_field_csrf(request)
    elif not sent and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()  # kept by aiohttp: the page reads it again
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    return bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


async def _first_field_csrf(request: web.Request) -> str:
    """An upload's token, from its first field (our forms put it first): the body after it is
    left for the page to read at its own pace (`upload_reader`)."""
    reader = await request.multipart()
    request[UPLOAD] = reader
    part = await reader.next()
    if not isinstance(part, BodyPartReader) or part.name != CSRF_FIELD:
        return ""
    value = b""
    while len(value) <= 256 and (chunk := await part.read_chunk(256)):
        value += chunk  # a token is ~43 characters: anything longer is no token of ours
    return value.decode("ascii", errors="replace")


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except PageRefused:
        return message_page(request, "web.refused", 403)
    except PageNotFound:
        return message_page(request, "web.not_found", 404)
    except web.HTTPNotFound:
        return message_page(request, "web.not_found", 404)
    except web.HTTPMethodNotAllowed as error:
        return message_page(request, "web.not_found", error.status)
