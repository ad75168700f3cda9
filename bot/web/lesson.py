"""The lesson page: a trainee's lesson on their phone, card by card, then its quiz, behind a
signed per-person link (`/lesson/<token>`, bot/lessons/links.py) from the chat's first card of a
lesson, a WeChat template message or the page itself.

It works without JavaScript: each card and question is a page of its own, every move a POST
form (Next, Back, an answer, retry, reread) answered with a redirect to the page of where the
person is then (POST, redirect, GET: a reload never repeats a move). A move goes through the
same domain functions as the chat's buttons (bot/lessons/quiz.py, progress.py, certificates.py)
and counts only from where its form was drawn (the form's place, signed with the token in its
form key): a double tap, a resubmitted or an old form changes nothing and shows where the
person is, so page and chat can take turns at any card.

A token that was changed answers 403, one that ran out 403 (in the person's language: its
signature still says who it is), a person or lesson that is gone 404, a form key that is not
ours 403; each a short page in zh, es or en from the catalogs, never the lesson.

Interface:
- `lesson_url(public_url, secret, person_id, course_id, slug, now) -> str` (bot/lessons/links.py)
- `add_lesson_routes(app, secret=, sessions=, courses=, clock=)`: the routes on the web app.
- `accepted_language`, `problem_page`, `html_page`: shared with the other pages (bot/web/files.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import LANGUAGES
from bot.core.messages import Sender
from bot.db.models import Person
from bot.db.person_lock import lock_person
from bot.i18n import Translator, normalise_language
from bot.lessons.certificates import certificate_of, certificate_png, complete_course
from bot.lessons.links import (
    LESSON_PATH,
    LINK_LIFETIME,
    NEXT_LESSON,
    BadLink,
    LessonLink,
    is_form_key,
    lesson_token,
    lesson_url,
    read,
    sign,
)
from bot.lessons.model import Course
from bot.lessons.progress import lesson_progress, locking_class, next_lesson, open_lesson
from bot.lessons.quiz import (
    answer,
    fit_to_lesson,
    just_answered,
    reread,
    retry_quiz,
    turn_back,
    turn_card,
)
from bot.web.lesson_view import DEFAULT_LANGUAGE, PAGES, place_of, question_at, render_position

__all__ = [
    "LINK_LIFETIME",
    "ROUTE",
    "BadLink",
    "LessonLink",
    "accepted_language",
    "add_lesson_routes",
    "html_page",
    "lesson_url",
    "problem_page",
    "read",
    "sign",
]

ROUTE = LESSON_PATH
CERTIFICATE_ROUTE = LESSON_PATH + "/certificate.png"
IMAGE_ROUTE = LESSON_PATH + "/image/{lesson}/{card:[0-9]+}"
MOVES = ("next", "back", "answer", "retry", "reread")


@dataclass(frozen=True)
class Visit:
    """A link that opened: whose, which course, which lesson (NEXT_LESSON resolved)."""

    token: str
    link: LessonLink
    person: Person
    course: Course
    slug: str


def add_lesson_routes(
    app: web.Application,
    *,
    secret: bytes,
    sessions: async_sessionmaker[AsyncSession],
    courses: Callable[[], Mapping[str, Course]],
    clock: Callable[[], datetime],
) -> None:
    """Serve the lesson page on `app`. `courses` gives the courses loaded now (they reload)."""

    async def visit(request: web.Request, session: AsyncSession) -> Visit | web.Response:
        """Who the link is for, or the page that says why it does not open."""
        asked = accepted_language(request.headers.get("Accept-Language", ""))
        token = request.match_info["token"]
        try:
            link = read(secret, token, clock())
        except BadLink as error:
            if error.link is None:
                return problem_page(asked, "lesson_page.bad_link", 403)
            gone = await session.get(Person, error.link.person_id)
            return problem_page(gone.language if gone else asked, "lesson_page.expired", 403)
        person = await session.get(Person, link.person_id)
        course = courses().get(link.course_id)
        slug: str | None = link.slug
        if person is not None and course is not None and slug == NEXT_LESSON:
            progress = await lesson_progress(session, person, course)
            slug = next_lesson(course, progress) or course.lessons[-1]
        if person is None or course is None or slug not in course.lessons:
            language = person.language if person else asked
            return problem_page(language, "lesson_page.not_found", 404)
        return Visit(token, link, person, course, slug)

    def page_url(seen: Visit, slug: str, after: str = "") -> str:
        """Where a move lands: this link if it names `slug`, else a new link that does."""
        token = seen.token
        if seen.link.slug != slug:
            assert seen.person.id is not None
            token = lesson_token(secret, seen.person.id, seen.course.id, slug, clock())
        query = f"?after={after}" if after else ""
        return ROUTE.format(token=token) + query

    async def lesson_page(request: web.Request) -> web.Response:
        async with sessions() as session:
            seen = await visit(request, session)
            if isinstance(seen, web.Response):
                return seen
            html, language = await render_position(
                session,
                seen.person,
                seen.course,
                seen.slug,
                token=seen.token,
                secret=secret,
                after=request.query.get("after", ""),
                now=clock(),
                next_url=lambda slug: page_url(seen, slug),
            )
        return html_page(html, language, 200)

    async def lesson_move(request: web.Request) -> web.Response:
        form = await request.post()
        lesson, at, key = (str(form.get(name, "")) for name in ("lesson", "at", "key"))
        move = str(form.get("move", ""))
        async with sessions() as session:
            seen = await visit(request, session)
            if isinstance(seen, web.Response):
                return seen
            wrong_lesson = seen.link.slug not in (lesson, NEXT_LESSON)
            if (
                wrong_lesson
                or move not in MOVES
                or not is_form_key(secret, seen.token, lesson, at, key)
            ):
                return problem_page(seen.person.language, "lesson_page.bad_link", 403)
            if lesson not in seen.course.lessons:
                return problem_page(seen.person.language, "lesson_page.not_found", 404)
            try:
                after = await make_move(session, seen, lesson, move, at, str(form.get("chosen")))
                await session.commit()
            except IntegrityError:  # the same answer in a second tap at the same instant
                await session.rollback()
                after = ""
        raise web.HTTPSeeOther(page_url(seen, lesson, after))

    async def make_move(
        session: AsyncSession, seen: Visit, slug: str, move: str, at: str, chosen: str
    ) -> str:
        """Make `move` if the person is still at `at` in lesson `slug`; the question whose
        answer the next page shows ("<attempt>-<index>"), or ""."""
        person, course, now = seen.person, seen.course, clock()
        # Other workers' chat updates of this person wait for this move (PostgreSQL).
        await lock_person(session, Sender(person.channel, person.channel_user_id))
        lesson = course.lesson(slug, person.language)
        row = (await lesson_progress(session, person, course)).get(slug)
        if row is None and move == "next" and at == "r:0":
            if await locking_class(session, person, course, slug) is not None:
                return ""  # not open to their class yet: the page says when it opens
            row = await open_lesson(session, person, course, slug, now)
        if row is None:
            return ""
        fit_to_lesson(row, lesson, now)
        question = question_at(at)
        if move == "answer" and question is not None and chosen.isdigit():
            attempt, index = question
            if at == place_of(row):
                counted = await answer(
                    session,
                    person,
                    course,
                    row,
                    lesson,
                    attempt=attempt,
                    index=index,
                    chosen=int(chosen),
                    now=now,
                )
                if counted is None:
                    return ""
                if counted.result is not None and counted.result.passed:
                    await complete_course(session, person, course, now)
            # A second tap on the answer just given shows it again; an older one shows nothing.
            return f"{attempt}-{index}" if just_answered(row, lesson, attempt, index) else ""
        if at != place_of(row):
            return ""  # drawn somewhere the person no longer is: show where they are
        if move == "next":
            await turn_card(session, person, row, lesson, row.card, now)
        elif move == "back":
            turn_back(row, row.card, now)
        elif move == "retry":
            await retry_quiz(session, person, row, now)
        elif move == "reread":
            await reread(session, person, row, now)
        return ""

    async def certificate(request: web.Request) -> web.Response:
        async with sessions() as session:
            seen = await visit(request, session)
            if isinstance(seen, web.Response):
                return seen
            found = await certificate_of(session, seen.person, seen.course)
        if found is None:
            return problem_page(seen.person.language, "certificate.not_yet", 404)
        language = seen.person.language or DEFAULT_LANGUAGE
        png = certificate_png(found, seen.course, language, seen.person.timezone)
        return web.Response(body=png, content_type="image/png", headers=_PRIVATE)

    async def card_image(request: web.Request) -> web.StreamResponse:
        """A card's photo, for a page of this link (the course's file, any person may see it)."""
        async with sessions() as session:
            seen = await visit(request, session)
        if isinstance(seen, web.Response):
            return seen
        slug, card = request.match_info["lesson"], int(request.match_info["card"])
        if seen.link.slug not in (slug, NEXT_LESSON) or slug not in seen.course.lessons:
            return problem_page(seen.person.language, "lesson_page.not_found", 404)
        cards = seen.course.lesson(slug, seen.person.language).cards
        image = cards[card].image if card < len(cards) else None
        if image is None or not image.is_file():
            return problem_page(seen.person.language, "lesson_page.not_found", 404)
        # The course's own photo: a phone on slow data keeps it a day, no one else does.
        headers = {**_PRIVATE, "Cache-Control": "private, max-age=86400"}
        return web.FileResponse(image, headers=headers)

    app.router.add_get(ROUTE, lesson_page)
    app.router.add_get(IMAGE_ROUTE, card_image)
    app.router.add_post(ROUTE, lesson_move)
    app.router.add_get(CERTIFICATE_ROUTE, certificate)


def accepted_language(header: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The first of our languages the browser asks for (WeChat's browser sends its own), else
    `default`."""
    for part in header.split(","):
        code = part.split(";", 1)[0].strip()
        language = normalise_language(code, default="")
        if language in LANGUAGES:
            return language
    return default


def problem_page(language: str, key: str, status: int) -> web.Response:
    t = Translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    html = PAGES.get_template("problem.html").render(
        language=t.language,
        title=t("lesson_page.problem_title"),
        message=t(key, lesson=t("menu.lesson")),
    )
    return html_page(html, t.language, status)


# The link is one person's: not kept by caches, not sent on to other sites, not indexed.
_PRIVATE = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
# Nothing but our own page: no script, no request to another site, forms only to us.
_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'"
)


def html_page(html: str, language: str, status: int) -> web.Response:
    return web.Response(
        text=html,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={
            **_PRIVATE,
            "Content-Language": language,
            "Content-Security-Policy": _POLICY,
            "X-Content-Type-Options": "nosniff",
        },
    )
