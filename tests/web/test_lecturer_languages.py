"""Every lecturer page in the viewer's language: no sentence left in English for a lecturer
who reads Chinese or Spanish."""

from __future__ import annotations

import pytest

from bot.db.models import Role
from bot.i18n import Translator
from tests.web.conftest import DashboardSite, add_class, add_person

PAGES = {
    "/join": "web.join_title",
    "/join/print": "web.join_print_help",
    "/plan": "web.plan_calendar_caption",
    "/announcements": "web.ann_write",
    "": "web.home_title",  # the home page's class list links to them
}


@pytest.mark.parametrize("language", ["zh", "es"])
async def test_the_pages_speak_the_viewers_language(
    dashboard: DashboardSite, language: str
) -> None:
    t = Translator(language)
    runtime = dashboard.runtime
    me = await add_person(runtime, Role.lecturer, name="Wang", language=language)
    class_id = await add_class(runtime, "Peaches", me, members=1)
    async with await dashboard.signed_in(me, language) as browser:
        for path, key in PAGES.items():
            address = f"/web/classes/{class_id}{path}" if path else "/web"
            page = await browser.get(address)
            assert page.status == 200 and page.shows(t(key)), address
            assert page.headers["Content-Language"] == language
        home = await browser.get("/web")
        for key in ("web.q_title", "web.entries_title", "web.plan_title"):
            assert home.shows(t(key))
        assert (await browser.get("/web/questions")).shows(t("qa.none_open"))
        assert (await browser.get("/web/answers")).shows(t("web.entries_none"))
