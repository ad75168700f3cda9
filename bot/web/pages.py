"""What every dashboard page shares: how it registers itself, who is looking, the layout it is
rendered in, and the headers it is sent with.

A page is an aiohttp handler registered with `add_page(app, path, handler, role=...)`: the
guard (bot/web/guard.py) has already put the signed-in `Viewer` on the request (see
`viewer_of`) and checked the CSRF token of a POST; `add_page` refuses viewers below `role`
with a 403 page in their language. A page renders a template that extends `base.html` with
`render(request, "x.html", title=..., ...)`: every template gets `language`, `t` (the viewer's
Translator), `viewer`, `csrf` and `static_url`. A page raises `PageRefused` (a class they may
not see) or `PageNotFound`; the guard answers them in the viewer's language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.db.models import Role
from bot.i18n import Translator
from bot.lessons.model import Course
from bot.pipeline.router import Services
from bot.web.lesson import accepted_language
from bot.web.viewer import Viewer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HOME = "/web"
SIGN_IN_HELP = "/web/login"  # where a visitor without a session is sent
STATIC = "/web/static/"
STATIC_DIR = Path(__file__).parent / "static"
_PUBLIC = "_academy_public"  # handler attribute: served without a session
_FRAMED = "_academy_framed"  # handler attribute: may be shown inside Telegram's frame


@dataclass(frozen=True)
class Dashboard:
    """What pages use besides the request: made once by the runtime."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    courses: Callable[[], Mapping[str, Course]]  # the courses loaded now (they reload)
    clock: Callable[[], datetime]
    # The chat's services (class links per channel, the planners' courses and settings): the
    # lecturer's pages do what the chat does with them. None in a dashboard without a chat.
    services: Services | None = None

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS when that is how people reach us."""
        return self.settings.public_url.startswith("https://")


DASHBOARD = web.AppKey("dashboard", Dashboard)
VIEWER = web.RequestKey("viewer", Viewer)


def dashboard_of(request: web.Request) -> Dashboard:
    return request.app[DASHBOARD]


def viewer_of(request: web.Request) -> Viewer:
    """The signed-in person this request is for (on any page registered with `add_page`)."""
    return request[VIEWER]


class PageRefused(Exception):
    """The viewer may not see this (a class not theirs): a 403 page in their language."""


class PageNotFound(Exception):
    """No such thing (a class that does not exist): a 404 page in their language."""


def add_page(
    app: web.Application,
    path: str,
    handler: Handler,
    *,
    role: Role = Role.lecturer,
    method: str = "GET",
) -> None:
    """Serve `handler` at `path` to signed-in people of `role` or above; others get a 403 page
    (a POST must also carry the session's CSRF token: the guard checks it)."""

    async def page(request: web.Request) -> web.StreamResponse:
        if not viewer_of(request).at_least(role):
            raise PageRefused()
        return await handler(request)

    page.__name__ = getattr(handler, "__name__", "page")
    app.router.add_route(method, path, page)


def add_public_page(
    app: web.Application, path: str, handler: Handler, *, method: str = "GET", framed: bool = False
) -> None:
    """Serve `handler` at `path` without a session (sign-in pages); `framed`: Telegram may show
    it in a frame (the Mini App)."""
    setattr(handler, _PUBLIC, True)
    setattr(handler, _FRAMED, framed)
    app.router.add_route(method, path, handler)


def is_public(handler: object) -> bool:
    return bool(getattr(handler, _PUBLIC, False))


def is_framed(handler: object) -> bool:
    return bool(getattr(handler, _FRAMED, False))


def _static_versions() -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in STATIC_DIR.iterdir()
        if path.is_file()
    }


_VERSIONS = _static_versions()


def static_url(name: str) -> str:
    """A file of bot/web/static, with its content's hash: cached for a year, fetched anew when
    it changes."""
    return f"{STATIC}{name}?v={_VERSIONS.get(name, '0')}"


PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
PAGES.globals["static_url"] = static_url
PAGES.globals["HOME"] = HOME


def language_of(request: web.Request) -> str:
    """The viewer's language, or (before sign-in) the browser's, else DEFAULT_LANGUAGE."""
    viewer = request.get(VIEWER)
    if viewer is not None:
        return viewer.language
    default = dashboard_of(request).settings.default_language
    return accepted_language(request.headers.get("Accept-Language", ""), default)


def render(
    request: web.Request,
    template: str,
    *,
    status: int = 200,
    language: str | None = None,
    **context: object,
) -> web.Response:
    """`template` rendered for this request's viewer (or visitor) as an HTML response."""
    viewer = request.get(VIEWER)
    t = Translator(language or language_of(request))
    html = PAGES.get_template(template).render(
        language=t.language,
        t=t,
        viewer=viewer,
        csrf=viewer.csrf if viewer is not None else "",
        **context,
    )
    return web.Response(
        text=html,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={"Content-Language": t.language},
    )


def message_page(
    request: web.Request, key: str, status: int, *, language: str | None = None, **values: object
) -> web.Response:
    """A page with one sentence from the catalogs (a refusal, a link that ran out...)."""
    t = Translator(language or language_of(request))
    return render(
        request,
        "message.html",
        status=status,
        language=t.language,
        message=t(key, **values),
    )


_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'"
)


def secure_headers(response: web.StreamResponse, *, framed: bool) -> None:
    """The headers of every response under /web: what the browser may run and load, no framing
    (but for the Mini App), no caching of a person's pages (unless the response says
    otherwise: static files), no Referer sent on."""
    headers = response.headers
    policy = _CSP if framed else _CSP + "; frame-ancestors 'none'"
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Robots-Tag", "noindex")
    if not framed:
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cache-Control", "no-store")
