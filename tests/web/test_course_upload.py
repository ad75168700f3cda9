"""The course page over HTTP: download a workbook, upload one (CSRF, the size cap), the report
and preview, Publish once, the history and restore for the owner and admins."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.db.models import Role
from bot.i18n import Translator
from bot.lessons.versions import versions
from bot.lessons.workbook import MAX_BYTES, import_workbook
from bot.runtime import Runtime
from tests.conftest import SAMPLE_CONTENT, make_settings, migrated_runtime
from tests.handlers.test_course_sheet import new_course, sample_book
from tests.web.conftest import Browser, DashboardSite, Page, add_class, add_person, open_dashboard

en = Translator("en")


@pytest.fixture
async def site(tmp_path: Path, database_url: str) -> AsyncIterator[DashboardSite]:
    """The dashboard over a copy of the sample course (publishing writes beside it)."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    runtime: Runtime = await migrated_runtime(make_settings(database_url, content_dir=content))
    try:
        async with open_dashboard(runtime) as dashboard:
            yield dashboard
    finally:
        await runtime.close()


async def upload(browser: Browser, data: bytes, *, csrf: str | None = None) -> Page:
    """Send `data` as the upload form does: the CSRF token first, then the file."""
    form = aiohttp.FormData()
    form.add_field("csrf", browser.csrf if csrf is None else csrf)
    form.add_field(
        "workbook", data, filename="course.xlsx", content_type="application/octet-stream"
    )
    async with browser.http.post(browser.url("/web/course/upload"), data=form) as response:
        return Page(response.status, await response.text(), response.headers)


def stage_of(page: Page) -> str:
    marker = 'name="stage" value="'
    assert marker in page.text, page.text
    return page.text.split(marker, 1)[1].split('"', 1)[0]


async def test_a_lecturer_downloads_uploads_previews_and_publishes_once(
    site: DashboardSite,
) -> None:
    lecturer = await add_person(site.runtime, Role.lecturer, name="Li Na")
    await add_class(site.runtime, "Peaches", lecturer)
    async with await site.signed_in(lecturer) as browser:
        page = await browser.get("/web/course")
        assert page.status == 200 and page.shows(
            en("course_page.download", course="Try it: sell peaches online")
        )
        async with browser.http.get(browser.url("/web/course/sample.xlsx")) as response:
            assert response.status == 200
            assert "sample.xlsx" in response.headers["Content-Disposition"]
            workbook = await response.read()
        assert import_workbook(workbook, "en", media=["peach.png"]).ok

        card = "Photograph the peaches by a window in the morning light."
        checked = await upload(browser, sample_book(new_course(card=card)))
        assert checked.status == 200
        assert checked.shows(en("sheet.ok", course="my-peaches"))
        assert checked.shows(
            en("course_page.preview_lesson", number=1, title="Choose one product to start with")
        )
        stage = stage_of(checked)

        published = await browser.post("/web/course/publish", {"stage": stage})
        assert published.shows(en("course_page.published", course="my-peaches", version=1))
        # served by this process at once, not at its next content check
        assert "my-peaches" in site.runtime.academy.services.courses
        again = await browser.post("/web/course/publish", {"stage": stage})
        assert again.shows(en("sheet.gone"))
    (version,) = versions(site.runtime.settings, "my-peaches")
    assert version.author is not None and version.author.name == "Li Na"
    served = site.runtime.settings.content_dir / "courses" / "my-peaches" / "lessons"
    assert card in (served / "good-photos.en.md").read_text(encoding="utf-8")


async def test_an_upload_needs_the_token_in_its_first_field(site: DashboardSite) -> None:
    lecturer = await add_person(site.runtime, Role.lecturer)
    async with await site.signed_in(lecturer) as browser:
        await browser.get("/web/course")
        for token in ("", "forged"):
            refused = await upload(browser, sample_book(new_course()), csrf=token)
            assert refused.status == 403 and refused.shows(en("web.csrf_refused"))
    assert not (site.runtime.settings.content_dir.parent / "content-staging").exists()


async def test_a_huge_upload_without_a_length_is_cut_off_while_it_is_read(
    site: DashboardSite,
) -> None:
    lecturer = await add_person(site.runtime, Role.lecturer)
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(2 * MAX_BYTES // 65536):
            sent.append(65536)
            yield b"\0" * 65536

    async with await site.signed_in(lecturer) as browser:
        await browser.get("/web/course")
        form = aiohttp.FormData()
        form.add_field("csrf", browser.csrf)
        form.add_field("workbook", chunks(), filename="huge.xlsx")
        try:
            async with browser.http.post(browser.url("/web/course/upload"), data=form) as response:
                text = await response.text()
            assert response.status == 200 and "10 MB" in text and 'name="stage"' not in text
        except aiohttp.ClientError:
            pass  # the server may close the connection on the unread rest
    assert sum(sent) < 2 * MAX_BYTES  # not read to the end


async def test_bad_uploads_get_a_report_and_no_publish_button(site: DashboardSite) -> None:
    lecturer = await add_person(site.runtime, Role.lecturer)
    async with await site.signed_in(lecturer) as browser:
        await browser.get("/web/course")
        huge = await upload(browser, b"PK" + b"\0" * (MAX_BYTES + 1))
        assert huge.status == 200 and "10 MB" in huge.text and 'name="stage"' not in huge.text
        junk = await upload(browser, b"%PDF-1.4 not a workbook")
        assert "This is not an Excel workbook" in junk.text and 'name="stage"' not in junk.text
        ours = await upload(browser, sample_book())
        assert ours.shows(en("sheet.refused.starter", course="sample"))
        assert 'name="stage"' not in ours.text
        nothing = await browser.post("/web/course/upload", {})
        assert nothing.status == 200 and nothing.shows(en("course_page.no_file"))


async def test_the_owner_and_admins_see_the_history_and_restore(site: DashboardSite) -> None:
    runtime = site.runtime
    lecturer = await add_person(runtime, Role.lecturer, name="Li Na")
    other = await add_person(runtime, Role.lecturer, name="Ben")
    admin = await add_person(runtime, Role.admin, name="Boss")
    async with await site.signed_in(lecturer) as browser:
        await browser.get("/web/course")
        first = await upload(browser, sample_book(new_course()))
        await browser.post("/web/course/publish", {"stage": stage_of(first)})
        second = await upload(browser, sample_book(new_course(card="Shade, not sun.")))
        await browser.post("/web/course/publish", {"stage": stage_of(second)})
    assert [v.number for v in versions(runtime.settings, "my-peaches")] == [2, 1]
    # The page lists the courses loaded by the bot; the test's bot has not reloaded yet.
    await (
        runtime.academy.services.reload_content()
    ) if runtime.academy.services.reload_content else None
    assert "my-peaches" in runtime.academy.services.courses

    async with await site.signed_in(other) as browser:
        page = await browser.get("/web/course")
        assert not page.shows(en("course_page.restore", version=1))
        refused = await browser.post(
            "/web/course/restore", {"course": "my-peaches", "version": "1"}
        )
        assert refused.status == 403
    async with await site.signed_in(admin) as browser:
        page = await browser.get("/web/course")
        assert page.shows(en("course_page.restore", version=1))
        restored = await browser.post(
            "/web/course/restore", {"course": "my-peaches", "version": "1"}
        )
        assert restored.shows(en("course_page.restored", course="my-peaches", old="1", version=3))
    assert versions(runtime.settings, "my-peaches")[0].restored_from == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 303), (Role.trainee, 403), (Role.lecturer, 200), (Role.coordinator, 200)],
)
async def test_who_may_download_a_workbook(
    site: DashboardSite, role: Role | None, status: int
) -> None:
    viewer = await add_person(site.runtime, role) if role else None
    if viewer is not None and role is Role.lecturer:
        await add_class(site.runtime, "Peaches", viewer)
    browser = await site.signed_in(viewer) if viewer else site.browser()
    async with browser:
        url = browser.url("/web/course/sample.xlsx")
        async with browser.http.get(url, allow_redirects=False) as response:
            assert response.status == status
            if status == 200:
                assert (await response.read()).startswith(b"PK")
        if status == 200:
            async with browser.http.get(browser.url("/web/course/nothing.xlsx")) as response:
                assert response.status == 404
