"""A coordinator signs in from the one-time link in a real browser, sees their classes, signs
out; on a laptop and on a phone, also with the browser's font size doubled."""

from __future__ import annotations

from bot.db.models import Role
from bot.i18n import Translator
from bot.web.guard import COOKIE
from bot.web.pages import HOME, SIGN_IN_HELP
from tests.web.browser.chromium import Tab
from tests.web.browser.layout import double_the_font_size, layout_problems, measure
from tests.web.conftest import DashboardSite, add_class, add_person

en = Translator("en")
GONE = "console: Failed to load resource: the server responded with a status of 410 (Gone)"


async def coordinator_with_classes(site: DashboardSite) -> int:
    lecturer = await add_person(site.runtime, Role.lecturer, name="Luis")
    await add_class(site.runtime, "Peach Village", lecturer, members=3)
    await add_class(site.runtime, "San Mateo", None, members=1)
    return await add_person(site.runtime, Role.coordinator, name="Mei")


async def test_a_coordinator_signs_in_from_the_link_sees_the_classes_and_signs_out(
    dashboard: DashboardSite, laptop: Tab
) -> None:
    link = await dashboard.link_for(await coordinator_with_classes(dashboard))
    assert await laptop.open(link) == 200
    assert en("web.sign_in_explain") in await laptop.text()
    assert await laptop.do(lambda page: page.context.cookies()) == []  # opening spends nothing

    await laptop.press(en("web.sign_in_button"))
    assert laptop.url == dashboard.server.base_url + HOME
    shown = await laptop.text()
    assert en("web.home_hello", name="Mei") in shown
    for name, lecturer, members in (("Peach Village", "Luis", "3"), ("San Mateo", "", "1")):
        row = await laptop.do(
            lambda page, name=name: page.get_by_role("row", name=name).inner_text()
        )
        assert name in row and members in row
        assert (lecturer or en("web.no_lecturer")) in row
    (cookie,) = await laptop.do(lambda page: page.context.cookies())
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == (COOKIE, True, "Lax")
    assert await layout_problems(laptop) == []

    await laptop.press(en("web.sign_out"))
    assert en("web.signed_out_done") in await laptop.text()
    assert await laptop.do(lambda page: page.context.cookies()) == []
    await laptop.open(dashboard.server.base_url + HOME)  # the session is gone
    assert laptop.url == dashboard.server.base_url + SIGN_IN_HELP
    assert en("web.sign_in_help") in await laptop.text()

    await laptop.open(link)  # the link was spent
    await laptop.press(en("web.sign_in_button"))
    assert en("web.link_used") in await laptop.text()
    assert laptop.errors == [GONE]  # the browser logs the 410 itself
    laptop.errors.clear()


async def test_home_on_a_phone_with_the_font_size_doubled(
    dashboard: DashboardSite, phone: Tab
) -> None:
    link = await dashboard.link_for(await coordinator_with_classes(dashboard))
    await phone.open(link)
    assert await layout_problems(phone) == []
    await phone.press(en("web.sign_in_button"))
    assert await layout_problems(phone) == []

    await double_the_font_size(phone)
    assert (await measure(phone))["font_px"] == 32  # the setting took: 2 × 16 px
    assert en("web.home_hello", name="Mei") in await phone.text()
    assert await layout_problems(phone) == []
