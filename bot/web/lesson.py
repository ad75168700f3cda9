"""The lesson page: what a tap on a WeChat template message opens (its `url`), a read-only page on
the runtime's shared web server with the lesson's cards in the person's language and a line
telling them to go back to the chat for the quiz.

The link carries a signed, expiring token (`/lesson/<token>`): the person, the course, the
lesson and when it stops working, with an HMAC-SHA256 over them (`Settings.lesson_link_secret`).
Anyone holding the link sees that lesson in that person's language and nothing else. A token
that was changed answers 403, one that ran out 403 (in the person's language: its signature
still says who it is), a person or lesson that is gone 404; each a short page in zh, es or en
from the catalogs, never the lesson.

Interface:
- `lesson_url(public_url, secret, person_id, course_id, slug, now) -> str`
- `add_lesson_routes(app, secret=, sessions=, courses=, clock=)`: the route on the web app.
- `accepted_language`, `problem_page`, `html_page`: shared with the other pages (bot/web/files.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import LANGUAGES
from bot.db.models import Person
from bot.i18n import Translator, normalise_language
from bot.lessons.model import Course

ROUTE = "/lesson/{token}"
# Long enough for a reminder read a week late; short enough that an old forwarded link dies.
LINK_LIFETIME = timedelta(days=14)
DEFAULT_LANGUAGE = "zh"  # who taps WeChat links, when nothing says otherwise
_TOKEN = re.compile(r"(\d+)\.([a-z0-9-]+)\.([a-z0-9-]+)\.(\d+)\.([A-Za-z0-9_-]{22})")
_PAGES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class LessonLink:
    """Who may read which lesson, until when."""

    person_id: int
    course_id: str
    slug: str
    expires_at: datetime


class BadLink(Exception):
    """A token that is not ours (changed, cut, made up), or `expired` (then `link` says whose)."""

    def __init__(self, link: LessonLink | None = None) -> None:
        super().__init__("expired" if link else "not signed by us")
        self.link = link


def _signature(secret: bytes, body: str) -> str:
    digest = hmac.new(secret, body.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: bytes, link: LessonLink) -> str:
    """The token of `link`: `<person>.<course>.<slug>.<expiry>.<signature>`, URL-safe."""
    body = f"{link.person_id}.{link.course_id}.{link.slug}.{int(link.expires_at.timestamp())}"
    return f"{body}.{_signature(secret, body)}"


def read(secret: bytes, token: str, now: datetime) -> LessonLink:
    """The link a token names; raises BadLink when it is not ours, or has expired at `now`."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise BadLink()
    person, course, slug, expiry, signature = match.groups()
    body = f"{person}.{course}.{slug}.{expiry}"
    if not hmac.compare_digest(signature, _signature(secret, body)):
        raise BadLink()
    link = LessonLink(int(person), course, slug, datetime.fromtimestamp(int(expiry), UTC))
    if now >= link.expires_at:
        raise BadLink(link)
    return link


def lesson_url(
    public_url: str, secret: bytes, person_id: int, course_id: str, slug: str, now: datetime
) -> str:
    """The address of the lesson's page for one person, working for LINK_LIFETIME from `now`."""
    token = sign(secret, LessonLink(person_id, course_id, slug, now + LINK_LIFETIME))
    return public_url.rstrip("/") + ROUTE.format(token=token)


def add_lesson_routes(
    app: web.Application,
    *,
    secret: bytes,
    sessions: async_sessionmaker[AsyncSession],
    courses: Callable[[], Mapping[str, Course]],
    clock: Callable[[], datetime],
) -> None:
    """Serve the lesson page on `app`. `courses` gives the courses loaded now (they reload)."""

    async def lesson_page(request: web.Request) -> web.Response:
        asked = accepted_language(request.headers.get("Accept-Language", ""))
        try:
            link = read(secret, request.match_info["token"], clock())
        except BadLink as error:
            if error.link is None:
                return problem_page(asked, "lesson_page.bad_link", 403)
            person = await _person(sessions, error.link.person_id)
            return problem_page(person.language if person else asked, "lesson_page.expired", 403)
        person = await _person(sessions, link.person_id)
        course = courses().get(link.course_id)
        if person is None or course is None or link.slug not in course.lessons:
            language = person.language if person else asked
            return problem_page(language, "lesson_page.not_found", 404)
        return _lesson(course, link.slug, person.language or DEFAULT_LANGUAGE)

    app.router.add_get(ROUTE, lesson_page)


async def _person(sessions: async_sessionmaker[AsyncSession], person_id: int) -> Person | None:
    async with sessions() as session:
        return await session.get(Person, person_id)


def accepted_language(header: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The first of our languages the browser asks for (WeChat's browser sends its own), else
    `default`."""
    for part in header.split(","):
        code = part.split(";", 1)[0].strip()
        language = normalise_language(code, default="")
        if language in LANGUAGES:
            return language
    return default


def _lesson(course: Course, slug: str, language: str) -> web.Response:
    lesson = course.lesson(slug, language)
    t = Translator(lesson.language)
    html = _PAGES.get_template("lesson.html").render(
        language=lesson.language,
        title=lesson.title,
        heading=t("lesson_page.heading", number=course.number(slug), total=len(course.lessons)),
        cards=[card.text for card in lesson.cards],
        reply_for_quiz=t("lesson_page.reply_for_quiz", lesson=t("menu.lesson")),
    )
    return html_page(html, lesson.language, 200)


def problem_page(language: str, key: str, status: int) -> web.Response:
    t = Translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    html = _PAGES.get_template("problem.html").render(
        language=t.language,
        title=t("lesson_page.problem_title"),
        message=t(key, lesson=t("menu.lesson")),
    )
    return html_page(html, t.language, status)


def html_page(html: str, language: str, status: int) -> web.Response:
    return web.Response(
        text=html,
        status=status,
        content_type="text/html",
        charset="utf-8",
        # The link is one person's: not kept by caches, not sent on to other sites.
        headers={
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
            "Content-Language": language,
        },
    )
