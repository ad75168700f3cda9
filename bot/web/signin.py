"""Signing in and out of the dashboard: the one-time link's page, the Telegram Mini App, and
sign-out.

Chat apps open links to show a preview, so GET on a sign-in link changes nothing: it shows a
page with one "Sign in" button, whose POST spends the token and opens the session. The Mini App
page (`/web/app`) reads Telegram's initData with a few lines of our own script and POSTs it to
`/web/app/session`, which checks its signature (bot/web/init_data.py) and sends the person on:
staff get the same kind of session as a link gives, and their dashboard; a trainee gets no
session, only their next lesson's page (a signed per-person link, bot/lessons/links.py); someone
the bot does not know yet is told, in their Telegram language, to press Start in the chat.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Person, Role
from bot.db.people import find_person
from bot.db.roles import at_least
from bot.db.web_sign_in import (
    SIGN_IN_PATH,
    LoginRefused,
    Refusal,
    end_session,
    open_session,
    use_login,
)
from bot.i18n import normalise_language
from bot.lessons.links import LESSON_PATH, NEXT_LESSON, lesson_token
from bot.web.guard import (
    COOKIE,
    clear_session_cookie,
    from_another_site,
    see_other,
    set_session_cookie,
)
from bot.web.init_data import InitDataRefused, check_init_data
from bot.web.pages import (
    HOME,
    SIGN_IN_HELP,
    Dashboard,
    add_page,
    add_public_page,
    dashboard_of,
    language_of,
    message_page,
    render,
)

log = logging.getLogger(__name__)
MINI_APP = "/web/app"
MINI_APP_SESSION = "/web/app/session"
SIGN_IN = SIGN_IN_PATH + "{token}"
SIGN_OUT = "/web/logout"
TELEGRAM = "telegram"  # Person.channel of Telegram users
_REFUSED = {
    Refusal.unknown: ("web.link_unknown", 403),
    Refusal.expired: ("web.link_expired", 410),
    Refusal.used: ("web.link_used", 410),
}


def home_path(role: Role) -> str:
    """Where a person lands after signing in."""
    return HOME


async def sign_in_help(request: web.Request) -> web.Response:
    """Where a visitor without a session is sent: how to get a link."""
    return message_page(request, "web.sign_in_help", 200)


async def sign_in_button(request: web.Request) -> web.Response:
    """The link's page: one button; opening it (or a chat app's preview) spends nothing."""
    return render(request, "signin.html", token=request.match_info["token"])


async def sign_in(request: web.Request) -> web.StreamResponse:
    """The button's POST: spend the token, open a session, go home."""
    if from_another_site(request):
        return message_page(request, "web.link_unknown", 403)
    dashboard = dashboard_of(request)
    now = dashboard.clock()
    async with dashboard.sessions() as session:
        try:
            person_id = await use_login(session, request.match_info["token"], now)
        except LoginRefused as refused:
            person = await session.get(Person, refused.person_id) if refused.person_id else None
            key, status = _REFUSED[refused.reason]
            language = person.language if person else None
            return message_page(request, key, status, language=language)
        person = await session.get(Person, person_id)
        assert person is not None  # the link goes with the person
        return await _open(request, session, person)


async def mini_app(request: web.Request) -> web.Response:
    """The Mini App's first page: our script posts Telegram's initData to MINI_APP_SESSION."""
    return render(request, "miniapp.html", action=MINI_APP_SESSION)


async def mini_app_session(request: web.Request) -> web.StreamResponse:
    """Send the Telegram user the signed initData names where they belong: staff signed in to
    the dashboard, a trainee to their next lesson's page (no session), a stranger to Start."""
    if from_another_site(request):
        return message_page(request, "web.mini_app_refused", 403)
    dashboard = dashboard_of(request)
    form = await request.post()
    init_data = form.get("init_data", "")
    try:
        user = check_init_data(
            dashboard.settings.bot_token.get_secret_value(),
            init_data if isinstance(init_data, str) else "",
            dashboard.clock(),
        )
    except InitDataRefused as refused:
        log.info("Mini App sign-in refused: %s", refused)
        return message_page(request, "web.mini_app_refused", 403)
    async with dashboard.sessions() as session:
        person = await find_person(session, TELEGRAM, str(user.id))
        if person is None:
            # Not refused: they only have to press Start, in the language Telegram speaks to them.
            language = normalise_language(user.language_code, default=language_of(request))
            return message_page(request, "web.mini_app_unknown", 200, language=language)
        if not at_least(person, Role.lecturer):
            return see_other(next_lesson_path(dashboard, person))
        return await _open(request, session, person)


def next_lesson_path(dashboard: Dashboard, person: Person) -> str:
    """The page of the person's next lesson in their course (their class's, else the default
    one), signed for them alone: the same link the chat gives, made only after Telegram vouched
    for who they are. A path on this server, so it works with or without PUBLIC_URL."""
    assert person.id is not None
    courses = dashboard.courses()
    course_id = person.course_id
    if course_id is None or course_id not in courses:
        course_id = dashboard.settings.default_course
    secret = dashboard.settings.lesson_link_secret
    token = lesson_token(secret, person.id, course_id, NEXT_LESSON, dashboard.clock())
    return LESSON_PATH.format(token=token)


async def _open(request: web.Request, session: AsyncSession, person: Person) -> web.StreamResponse:
    """A new session for `person` (ending the browser's previous one), committed with what
    `session` holds (the spent link): its cookie, and home."""
    dashboard = dashboard_of(request)
    assert person.id is not None
    previous = request.cookies.get(COOKIE)
    if previous:
        await end_session(session, previous)
    opened = await open_session(session, person.id, dashboard.clock())
    await session.commit()
    response = see_other(home_path(Role(person.role)))
    set_session_cookie(response, opened.cookie, secure=dashboard.secure_cookies)
    return response


async def sign_out(request: web.Request) -> web.Response:
    """End this browser's session (a POST with the CSRF token)."""
    dashboard = dashboard_of(request)
    async with dashboard.sessions() as session:
        await end_session(session, request.cookies.get(COOKIE, ""))
        await session.commit()
    response = message_page(request, "web.signed_out_done", 200)
    clear_session_cookie(response)
    return response


def add_sign_in_routes(app: web.Application) -> None:
    add_public_page(app, SIGN_IN_HELP, sign_in_help)
    add_public_page(app, SIGN_IN, sign_in_button)
    add_public_page(app, SIGN_IN, sign_in, method="POST")
    add_public_page(app, MINI_APP, mini_app, framed=True)
    add_public_page(app, MINI_APP_SESSION, mini_app_session, method="POST", framed=True)
    add_page(app, SIGN_OUT, sign_out, role=Role.trainee, method="POST")
