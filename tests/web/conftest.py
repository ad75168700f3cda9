"""What the page tests share: a server of the runtime's routes on a clock the test moves, a
visitor that fetches pages and makes people to link to, and for the dashboard (`dashboard`
fixture) people of each role, classes, and a `Browser` signed in as one of them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from markupsafe import escape

from bot.db.models import Cohort, Membership, Person, Role
from bot.db.web_sign_in import SIGN_IN_PATH, new_login
from bot.runtime import Runtime
from bot.web.app import add_web_routes
from bot.web.guard import COOKIE
from bot.web.pages import Dashboard
from tests.fakes.server import LocalServer


class RoutesServer(LocalServer):
    """The routes a subclass adds in `make_app`, with the runtime and a movable clock."""

    def __init__(self, runtime: Runtime, clock: list[datetime]) -> None:
        self.runtime = runtime
        self.clock = clock


@dataclass
class Visitor:
    runtime: Runtime
    clock: list[datetime]

    async def fetch(self, url: str, language: str = "") -> tuple[int, bytes, Mapping[str, str]]:
        """GET `url` (with `Accept-Language: language`): status, body, headers."""
        headers = {"Accept-Language": language} if language else {}
        async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
            return response.status, await response.read(), response.headers

    async def person(self, language: str) -> int:
        """A WeChat person speaking `language`; their id."""
        async with self.runtime.sessions() as session:
            person = Person(channel="wechat", channel_user_id=f"o{language}", language=language)
            session.add(person)
            await session.commit()
            assert person.id is not None
            return person.id


# --- The dashboard: a server of every web route, people of each role, a browser signed in. ---

DASHBOARD_START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


class DashboardServer(RoutesServer):
    """Every web route of the runtime (bot.web.app.add_web_routes) with the dashboard on, on a
    free port, on the test's clock; `settings` overrides some (PUBLIC_URL...)."""

    def __init__(self, runtime: Runtime, clock: list[datetime], **settings: object) -> None:
        super().__init__(runtime, clock)
        self.settings = runtime.settings.model_copy(update={"web_dashboard": True, **settings})

    def make_app(self) -> web.Application:
        app = web.Application()
        services = self.runtime.academy.services
        add_web_routes(
            app,
            Dashboard(
                settings=self.settings,
                sessions=self.runtime.sessions,
                courses=lambda: services.courses,
                clock=lambda: self.clock[0],
                services=services,
            ),
        )
        return app


@dataclass(frozen=True)
class Page:
    """What the browser got: status, body text, headers, and where a redirect pointed."""

    status: int
    text: str
    headers: Mapping[str, str]

    def shows(self, text: str) -> bool:
        """Whether the page shows `text` (as the templates escape it)."""
        return str(escape(text)) in self.text

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    @property
    def csrf(self) -> str:
        """The CSRF token in the page's forms ("" when it has none)."""
        found = _CSRF_FIELD.search(self.text)
        return found.group(1) if found else ""


class Browser:
    """A browser with its own cookies, on the dashboard's server; redirects are not followed
    (tests look at them). Use as `async with Browser(server) as browser:`."""

    def __init__(self, server: DashboardServer, language: str = "en") -> None:
        self.server = server
        self.language = language
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies for 127.0.0.1 too
            headers={"Accept-Language": language},
        )
        self.csrf = ""  # the token of the last page that had forms

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.http.close()

    def url(self, path: str) -> str:
        return self.server.base_url + path if path.startswith("/") else path

    async def get(self, path: str) -> Page:
        async with self.http.get(self.url(path), allow_redirects=False) as response:
            text = await response.text(errors="replace")  # a download is not text
            page = Page(response.status, text, response.headers)
        self.csrf = page.csrf or self.csrf
        return page

    async def post(
        self,
        path: str,
        data: Mapping[str, str] | None = None,
        *,
        csrf: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Page:
        """POST a form; with the last page's CSRF token unless `csrf` is given ("" for none)."""
        form = dict(data or {})
        token = self.csrf if csrf is None else csrf
        if token:
            form["csrf"] = token
        async with self.http.post(
            self.url(path), data=form, headers=dict(headers or {}), allow_redirects=False
        ) as response:
            return Page(response.status, await response.text(), response.headers)

    def cookie(self) -> str:
        """The session cookie's value in the jar ("" when there is none)."""
        for morsel in self.http.cookie_jar:
            if morsel.key == COOKIE:
                return morsel.value
        return ""

    async def sign_in(self, link: str) -> Page:
        """Open a sign-in link and press its button: the redirect home (or the refusal)."""
        await self.get(link)
        page = await self.post(link, csrf="")
        if page.status == 303:
            self.csrf = (await self.get("/web")).csrf
        return page


async def add_person(
    runtime: Runtime,
    role: Role,
    *,
    name: str = "",
    language: str = "en",
    channel: str = "test",
    user_id: str = "",
) -> int:
    """A person with `role` (their id): `name` and `user_id` default to the role's name."""
    async with runtime.sessions() as session:
        person = Person(
            channel=channel,
            channel_user_id=user_id or f"{role.value}-{name}",
            display_name=name or role.value.title(),
            language=language,
            role=role,
        )
        session.add(person)
        await session.commit()
        assert person.id is not None
        return person.id


async def add_class(runtime: Runtime, name: str, lecturer_id: int | None, members: int = 0) -> int:
    """A class of the sample course taught by `lecturer_id`, with `members` trainees; its id."""
    async with runtime.sessions() as session:
        cohort = Cohort(
            name=name,
            course_id="sample",
            timezone="Asia/Shanghai",
            lecturer_id=lecturer_id,
            invite_code=f"CODE{name.upper().replace(' ', '')}"[:32],
        )
        session.add(cohort)
        await session.flush()
        for number in range(members):
            member = Person(channel="test", channel_user_id=f"{name}-member-{number}")
            session.add(member)
            await session.flush()
            assert cohort.id is not None and member.id is not None
            session.add(Membership(cohort_id=cohort.id, person_id=member.id))
        await session.commit()
        assert cohort.id is not None
        return cohort.id


async def login_link(runtime: Runtime, person_id: int, now: datetime, base_url: str) -> str:
    """A fresh one-time sign-in link for `person_id` on the server at `base_url`."""
    async with runtime.sessions() as session:
        token = await new_login(session, person_id, now)
        await session.commit()
    return base_url + SIGN_IN_PATH + token


@dataclass
class DashboardSite:
    """The dashboard's server and clock, with ways to make people and sign them in."""

    runtime: Runtime
    clock: list[datetime]
    server: DashboardServer

    @property
    def now(self) -> datetime:
        return self.clock[0]

    def later(self, by: timedelta) -> None:
        self.clock[0] += by

    async def link_for(self, person_id: int) -> str:
        return await login_link(self.runtime, person_id, self.now, self.server.base_url)

    def browser(self, language: str = "en") -> Browser:
        return Browser(self.server, language)

    async def signed_in(self, person_id: int, language: str = "en") -> Browser:
        """A browser signed in as `person_id` (close it: `async with`, or `await .close()`)."""
        browser = self.browser(language)
        page = await browser.sign_in(await self.link_for(person_id))
        assert page.status == 303, page.text
        return browser


@asynccontextmanager
async def open_dashboard(runtime: Runtime) -> AsyncIterator[DashboardSite]:
    """The dashboard on a free port over `runtime`'s database, its clock at DASHBOARD_START
    (move it with `site.later(...)`); for tests outside tests/web (the fixture's body)."""
    clock = [DASHBOARD_START]
    async with DashboardServer(runtime, clock) as server:
        yield DashboardSite(runtime, clock, server)


@pytest.fixture
async def dashboard(runtime: Runtime) -> AsyncIterator[DashboardSite]:
    """The dashboard on a free port over the test's migrated database (see open_dashboard)."""
    async with open_dashboard(runtime) as site:
        yield site
