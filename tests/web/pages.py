"""A phone without JavaScript for the lesson page: it reads the page's forms and links the way
a browser does, presses a button by its label (POST, then follows the redirect) and taps a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import aiohttp
from aiohttp import web

from bot.runtime import Runtime
from bot.web.lesson import add_lesson_routes
from tests.web.conftest import RoutesServer


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, label


class PageReader(HTMLParser):
    """The forms, links, images and visible text of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []
        self.images: list[str] = []
        self.text: list[str] = []
        self._button: tuple[str, str] | None = None
        self._link: str | None = None
        self._label: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form())
        elif tag == "input" and values.get("type") == "hidden":
            self.forms[-1].fields[values["name"]] = values["value"]
        elif tag == "button":
            self._button, self._label = (values["name"], values["value"]), []
        elif tag == "a":
            self._link, self._label = values["href"], []
        elif tag == "img":
            self.images.append(values["src"])
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            self.forms[-1].buttons.append((*self._button, "".join(self._label).strip()))
            self._button = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link, "".join(self._label).strip()))
            self._link = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._button is not None or self._link is not None:
            self._label.append(data)
        if not self._in_style:
            self.text.append(data)


class LessonServer(RoutesServer):
    """The lesson page on the runtime's own link secret, on the test's clock."""

    def make_app(self) -> web.Application:
        app = web.Application()
        add_lesson_routes(
            app,
            secret=self.runtime.settings.lesson_link_secret,
            sessions=self.runtime.sessions,
            courses=lambda: self.runtime.academy.services.courses,
            clock=lambda: self.clock[0],
        )
        return app


@dataclass
class Phone:
    """One person's phone on the lesson page: the page on screen and how it got there."""

    url: str = ""
    status: int = 0
    html: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    page: PageReader = field(default_factory=PageReader)

    async def open(self, url: str) -> Phone:
        return await self._load("GET", url)

    async def press(self, label: str) -> Phone:
        """Press the button labelled `label` on the page (a POST of its form)."""
        form, name, value = self.button(label)
        return await self.submit(form, **{name: value})

    async def submit(self, form: Form, **fields: str) -> Phone:
        return await self._load("POST", self.url, {**form.fields, **fields})

    async def tap(self, label: str) -> Phone:
        """Follow the link labelled `label`."""
        for href, text in self.page.links:
            if text == label:
                return await self.open(urljoin(self.url, href))
        raise AssertionError(f"no link {label!r}; have {self.page.links}")

    def button(self, label: str) -> tuple[Form, str, str]:
        for form in self.page.forms:
            for name, value, text in form.buttons:
                if text == label:
                    return form, name, value
        have = [text for form in self.page.forms for *_, text in form.buttons]
        raise AssertionError(f"no button {label!r}; have {have}")

    @property
    def labels(self) -> list[str]:
        return [text for form in self.page.forms for *_, text in form.buttons]

    @property
    def text(self) -> str:
        return "".join(self.page.text)

    async def _load(self, method: str, url: str, data: dict[str, str] | None = None) -> Phone:
        async with (
            aiohttp.ClientSession() as http,
            http.request(method, url, data=data) as response,
        ):
            self.url, self.status = str(response.url), response.status
            self.body = await response.read()
            self.html = self.body.decode(errors="replace")
            self.headers = dict(response.headers)
        self.page = PageReader()
        self.page.feed(self.html)
        return self


def shared_clock(runtime: Runtime, start: datetime) -> list[datetime]:
    """One clock for the page and the chat, so their taps are in order."""
    clock = [start]
    runtime.academy.services.clock = lambda: clock[0]
    return clock
