"""The download page (bot/web/files.py) over real HTTP on a migrated database: a young link
gives its file as an attachment; an unknown token 404, an expired one 410, each a clear page in
zh, es or en, never a file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from aiohttp import web

from bot.core.messages import Attachment
from bot.db.downloads import LIFETIME
from bot.i18n import Translator
from bot.runtime import Runtime
from bot.web.files import add_file_routes, file_url, store_download
from tests.web.conftest import RoutesServer, Visitor

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class FileServer(RoutesServer):
    def make_app(self) -> web.Application:
        app = web.Application()
        add_file_routes(app, sessions=self.runtime.sessions, clock=lambda: self.clock[0])
        return app


@dataclass
class Site(Visitor):
    server: FileServer = field(kw_only=True)

    async def get(self, url: str, language: str = "") -> tuple[int, bytes, Mapping[str, str]]:
        return await self.fetch(url, language)

    async def link(self, person_id: int, filename: str, data: bytes) -> str:
        async with self.runtime.sessions() as session:
            url = await store_download(
                session, self.server.base_url, person_id, Attachment(filename, data=data), NOW
            )
            await session.commit()
        return url


@pytest.fixture
async def site(runtime: Runtime) -> AsyncIterator[Site]:
    clock = [NOW]
    async with FileServer(runtime, clock) as server:
        yield Site(runtime, clock, server=server)


async def test_a_young_link_gives_the_file_as_an_attachment(site: Site) -> None:
    person = await site.person("es")
    url = await site.link(person, "my-data.json", b'{"person": 1}')
    assert url.startswith(site.server.base_url + "/files/")
    status, body, headers = await site.get(url)
    assert status == 200 and body == b'{"person": 1}'
    assert headers["Content-Type"].startswith("application/json")
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"my-data.json\"; filename*=UTF-8''my-data.json"
    )
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"


async def test_a_name_outside_ascii_keeps_its_words_for_browsers_that_read_utf8(
    site: Site,
) -> None:
    person = await site.person("zh")
    url = await site.link(person, "学员 表格.xlsx", b"PK")
    _, _, headers = await site.get(url)
    disposition = headers["Content-Disposition"]
    assert 'filename="_____.xlsx"' in disposition
    assert "filename*=UTF-8''%E5%AD%A6%E5%91%98%20%E8%A1%A8%E6%A0%BC.xlsx" in disposition


async def test_two_files_two_links_each_only_its_own(site: Site) -> None:
    ana, bo = await site.person("en"), await site.person("zh")
    ana_url = await site.link(ana, "my-data.json", b"ana")
    bo_url = await site.link(bo, "my-data.json", b"bo")
    assert (await site.get(ana_url))[1] == b"ana"
    assert (await site.get(bo_url))[1] == b"bo"


@pytest.mark.parametrize("language", ["zh", "es", "en"])
async def test_an_unknown_token_is_a_404_page_in_the_browser_s_language(
    site: Site, language: str
) -> None:
    person = await site.person(language)
    url = await site.link(person, "my-data.json", b"secret")
    for wrong in (url[:-1], url[:-1] + ("A" if url[-1] != "A" else "B"), url + "x"):
        status, body, headers = await site.get(wrong, language)
        page = body.decode()
        assert status == 404 and "secret" not in page
        assert Translator(language)("files_page.not_found") in page
        assert headers["Content-Type"].startswith("text/html")
    made_up = file_url(site.server.base_url, "x" * 43)
    assert (await site.get(made_up, language))[0] == 404


@pytest.mark.parametrize("language", ["zh", "es", "en"])
async def test_an_expired_link_is_a_410_page_in_the_person_s_language(
    site: Site, language: str
) -> None:
    person = await site.person(language)
    url = await site.link(person, "trainees.xlsx", b"secret")
    site.clock[0] = NOW + LIFETIME
    status, body, _ = await site.get(url, "en" if language != "en" else "zh")
    page = body.decode()
    assert status == 410 and "secret" not in page
    assert Translator(language)("files_page.expired") in page
