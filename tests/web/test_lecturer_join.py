"""A class's join page: its link as the chat makes it, the printable QR code, opening and
closing joining and a new code, on both databases."""

from __future__ import annotations

from bot.cohorts.service import qr_png
from bot.db.models import Cohort, Role
from bot.i18n import Translator
from bot.pipeline.router import Offers
from tests.web.conftest import DashboardSite, add_class, add_person
from tests.web.lecturer import lecturer_with_class

en = Translator("en")


async def cohort_row(site: DashboardSite, class_id: int) -> Cohort:
    async with site.runtime.sessions() as session:
        cohort = await session.get(Cohort, class_id)
        assert cohort is not None
        return cohort


async def test_the_join_page_shows_the_link_and_code_the_chat_gives(
    dashboard: DashboardSite,
) -> None:
    lecturer = await lecturer_with_class(dashboard)
    page = await lecturer.browser.get(lecturer.base + "/join")
    assert page.status == 200
    assert page.shows("CODEPEACHES") and page.shows("/join CODEPEACHES")
    assert page.shows(en("web.join_state_open"))
    # The chat's class card shows the same link.
    await lecturer.chat.send("/cohorts")
    await lecturer.chat.press("👥 Peaches")
    assert "/join CODEPEACHES" in lecturer.chat.texts[0]
    await lecturer.close()


async def test_the_printable_qr_code_encodes_the_class_link(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard)
    page = await lecturer.browser.get(lecturer.base + "/join/print")
    assert page.status == 200
    assert page.shows("Peaches") and page.shows("CODEPEACHES")
    assert f'src="{lecturer.base}/join/qr.png?channel=test"' in page.text
    assert "@media print" in (await lecturer.browser.get(page_css(page.text))).text
    async with lecturer.browser.http.get(
        lecturer.browser.url(lecturer.base + "/join/qr.png?channel=test")
    ) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == qr_png("/join CODEPEACHES")
    await lecturer.close()


def page_css(html: str) -> str:
    start = html.index('href="/web/static/site.css') + len('href="')
    return html[start : html.index('"', start)]


async def test_closing_opening_and_a_new_code(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard)
    join = lecturer.base + "/join"
    await lecturer.browser.get(join)
    closed = await lecturer.browser.post(join, {"action": "close"})
    assert closed.status == 303
    assert not (await cohort_row(dashboard, lecturer.class_id)).invite_open
    assert (await lecturer.browser.get(join)).shows(en("web.join_state_closed"))
    await lecturer.browser.post(join, {"action": "open"})
    assert (await cohort_row(dashboard, lecturer.class_id)).invite_open
    await lecturer.browser.post(join, {"action": "rotate"})
    code = (await cohort_row(dashboard, lecturer.class_id)).invite_code
    assert code != "CODEPEACHES"
    page = await lecturer.browser.get(join)
    assert page.shows(code) and not page.shows("CODEPEACHES")
    await lecturer.close()


async def test_a_form_without_the_token_changes_nothing(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard)
    refused = await lecturer.browser.post(lecturer.base + "/join", {"action": "close"}, csrf="")
    assert refused.status == 403
    assert (await cohort_row(dashboard, lecturer.class_id)).invite_open
    await lecturer.close()


async def test_another_lecturers_class_is_not_found(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard)
    other = await add_person(dashboard.runtime, Role.lecturer, name="Other")
    theirs = await add_class(dashboard.runtime, "Honey", other)
    for path in ("/join", "/join/print", "/join/qr.png"):
        assert (await lecturer.browser.get(f"/web/classes/{theirs}{path}")).status == 404
    await lecturer.browser.get(lecturer.base + "/join")
    posted = await lecturer.browser.post(f"/web/classes/{theirs}/join", {"action": "close"})
    assert posted.status == 404
    assert (await cohort_row(dashboard, theirs)).invite_open
    assert (await lecturer.browser.get("/web/classes/99999/join")).status == 404
    await lecturer.close()
    trainee = await add_person(dashboard.runtime, Role.trainee, name="Ana")
    async with await dashboard.signed_in(trainee) as browser:  # the picture: not for trainees
        assert (await browser.get(f"/web/classes/{theirs}/join/qr.png")).status == 403


async def test_a_class_name_is_escaped(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard, name="<b>Bees</b>")
    for path in ("/join", "/join/print"):
        page = await lecturer.browser.get(lecturer.base + path)
        assert "<b>Bees</b>" not in page.text and page.shows("<b>Bees</b>")
    await lecturer.close()


async def test_a_link_on_each_channel_the_bot_runs_on(dashboard: DashboardSite) -> None:
    services = dashboard.runtime.academy.services

    async def cannot_now(_session: object, _code: str) -> bool:
        return False  # WeChat's QR code API failed just now

    services.offers["telegram"] = Offers(link_for=lambda code: f"https://t.me/academy?start={code}")
    services.offers["wechat"] = Offers(
        link_for=lambda code: f"https://weixin.qq.com/q/{code}", prepare_link=cannot_now
    )
    lecturer = await lecturer_with_class(dashboard)
    page = await lecturer.browser.get(lecturer.base + "/join")
    assert page.shows("https://t.me/academy?start=CODEPEACHES")
    assert page.shows(en("web.channel_telegram")) and page.shows(en("web.channel_wechat"))
    assert not page.shows("https://weixin.qq.com/q/CODEPEACHES")
    assert page.shows(en("web.join_unavailable"))
    # The lecturer's own channel ("test") comes first, as the chat's class card shows it.
    assert page.text.index("/join CODEPEACHES") < page.text.index("https://t.me/")
    async with lecturer.browser.http.get(
        lecturer.browser.url(lecturer.base + "/join/qr.png?channel=telegram")
    ) as response:
        assert await response.read() == qr_png("https://t.me/academy?start=CODEPEACHES")
    await lecturer.close()
