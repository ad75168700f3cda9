"""The lesson page's link, over real HTTP on a migrated database: the signed link shows its
lesson in the person's language; a changed, expired or stale link shows a clear page in zh, es
or en, never the lesson. (Reading and answering on the page: test_lesson_page.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web

from bot.i18n import Translator
from bot.runtime import Runtime
from bot.web.lesson import (
    LINK_LIFETIME,
    BadLink,
    LessonLink,
    add_lesson_routes,
    lesson_url,
    read,
    sign,
)
from tests.web.conftest import RoutesServer, Visitor

SECRET = b"k" * 32
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class PageServer(RoutesServer):
    def make_app(self) -> web.Application:
        app = web.Application()
        add_lesson_routes(
            app,
            secret=SECRET,
            sessions=self.runtime.sessions,
            courses=lambda: self.runtime.academy.services.courses,
            clock=lambda: self.clock[0],
        )
        return app


@dataclass
class Site(Visitor):
    server: PageServer = field(kw_only=True)

    async def get(self, url: str, language: str = "") -> tuple[int, str, Mapping[str, str]]:
        status, body, headers = await self.fetch(url, language)
        return status, body.decode("utf-8"), headers

    def url(self, person_id: int, slug: str = "first-steps", course: str = "sample") -> str:
        return lesson_url(self.server.base_url, SECRET, person_id, course, slug, self.clock[0])


@pytest.fixture
async def site(runtime: Runtime) -> AsyncIterator[Site]:
    clock = [NOW]
    async with PageServer(runtime, clock) as server:
        yield Site(runtime, clock, server=server)


def test_a_link_reads_back_only_as_signed_and_until_it_expires() -> None:
    link = LessonLink(7, "sell-online", "open-a-shop", NOW + LINK_LIFETIME)
    token = sign(SECRET, link)
    assert read(SECRET, token, NOW) == link
    for forged in (
        "8" + token[1:],  # another person
        token.replace("open-a-shop", "pricing"),
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token + "x",
        "",
        "../../etc/passwd",
    ):
        with pytest.raises(BadLink) as refused:
            read(SECRET, forged, NOW)
        assert refused.value.link is None
    with pytest.raises(BadLink):
        read(b"another secret", token, NOW)
    with pytest.raises(BadLink) as expired:
        read(SECRET, token, NOW + LINK_LIFETIME)
    assert expired.value.link == link  # signed by us: whose it was is known


async def test_the_page_shows_the_lesson_in_the_persons_language(site: Site) -> None:
    course = site.runtime.academy.services.courses["sample"]
    for language in ("zh", "es"):
        person = await site.person(language)
        status, page, headers = await site.get(site.url(person), language="en")
        lesson = course.lesson("first-steps", language)
        t = Translator(language)
        assert status == 200 and f'<html lang="{language}">' in page
        assert lesson.title in page
        assert lesson.cards[0].text.split("\n")[0] in page  # the first card, alone
        assert lesson.cards[1].text.split("\n")[0] not in page
        assert t("lesson_page.heading", number=1, total=len(course.lessons)) in page
        assert t("lesson.next") in page and t("lesson_page.back") not in page
        assert t("lesson_page.or_chat", lesson=t("menu.lesson")) in page
        assert headers["Cache-Control"] == "no-store"
        assert 'name="viewport"' in page


async def test_a_changed_link_is_refused_in_the_browsers_language(site: Site) -> None:
    person = await site.person("zh")
    url = site.url(person)
    changed = url.replace(".first-steps.", ".good-photos.")
    course = site.runtime.academy.services.courses["sample"]
    title = course.lesson("first-steps", "zh").title
    for language, asked in (("en", "en-US,en;q=0.9"), ("es", "es-MX"), ("zh", "")):
        status, page, _ = await site.get(changed, language=asked)
        t = Translator(language)
        assert status == 403 and t("lesson_page.bad_link", lesson=t("menu.lesson")) in page
        assert title not in page


async def test_an_expired_link_says_so_in_the_persons_language(site: Site) -> None:
    person = await site.person("es")
    url = site.url(person)
    site.clock[0] = NOW + LINK_LIFETIME + timedelta(seconds=1)
    status, page, _ = await site.get(url, language="zh-CN")
    es = Translator("es")
    assert status == 403 and es("lesson_page.expired", lesson=es("menu.lesson")) in page


async def test_a_gone_person_or_lesson_is_not_found(site: Site) -> None:
    person = await site.person("en")
    en = Translator("en")
    gone = en("lesson_page.not_found", lesson=en("menu.lesson"))
    for url in (
        site.url(person, slug="no-such-lesson"),
        site.url(person, course="no-such-course"),
        site.url(person + 1000),
    ):
        status, page, _ = await site.get(url, language="en")
        assert status == 404 and gone in page
