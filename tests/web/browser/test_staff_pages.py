"""Coordinators and lecturers at work in a real browser: a coordinator opens a class from the
programme; a lecturer writes an announcement, schedules it for the evening, and (the delivery
engine ticking as the runtime's would) sees it go out and its report. Each page also on a phone
with the font size doubled: nothing cut off, no sideways scrolling."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.db.models import Membership, Role
from bot.i18n import Translator
from tests.web.browser.chromium import Tab
from tests.web.browser.layout import double_the_font_size, layout_problems
from tests.web.conftest import DashboardSite, add_class, add_person
from tests.web.lecturer import Recorder, engine_of

en = Translator("en")
EVENING = datetime(2026, 5, 4, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai, the classes' zone


async def sign_in(site: DashboardSite, tab: Tab, person_id: int) -> None:
    await tab.open(await site.link_for(person_id))
    await tab.press(en("web.sign_in_button"))


async def follow(tab: Tab, name: str) -> None:
    """Click the first link called `name` and wait for its page."""

    async def click(page: object) -> None:
        link = page.get_by_role("link", name=name, exact=True).first  # type: ignore[attr-defined]
        async with page.expect_navigation():  # type: ignore[attr-defined]
            await link.click()

    await tab.do(click)


async def fits_a_phone(site: DashboardSite, phone: Tab, person_id: int, path: str) -> None:
    """`path` on a phone, at the browser's normal and doubled font size, fits the screen."""
    await sign_in(site, phone, person_id)
    await phone.open(site.server.base_url + path)
    assert await layout_problems(phone, tap_targets=False) == [], path
    await double_the_font_size(phone)
    assert await layout_problems(phone, tap_targets=False) == [], path


async def test_a_coordinator_opens_a_class_from_the_programme(
    dashboard: DashboardSite, laptop: Tab, phone: Tab
) -> None:
    lecturer = await add_person(dashboard.runtime, Role.lecturer, name="Luis")
    peaches = await add_class(dashboard.runtime, "Peach Village", lecturer, members=3)
    await add_class(dashboard.runtime, "San Mateo", None, members=2)
    coordinator = await add_person(dashboard.runtime, Role.coordinator, name="Mei")
    await sign_in(dashboard, laptop, coordinator)

    await follow(laptop, en("web.nav_programme"))
    assert laptop.url.endswith("/web/programme")
    assert await laptop.do(lambda page: page.locator("#fig-enrolled").inner_text()) == "5"
    assert await laptop.do(lambda page: page.locator("#fig-classes").inner_text()) == "2"
    assert await layout_problems(laptop, tap_targets=False) == []

    await follow(laptop, "Peach Village")
    assert laptop.url.endswith(f"/web/classes/{peaches}")
    assert await laptop.do(lambda page: page.locator("h1").inner_text()) == "Peach Village"
    assert await laptop.do(lambda page: page.locator("#fig-enrolled").inner_text()) == "3"
    members = await laptop.do(lambda page: page.locator("#members-table tbody tr").count())
    assert members == 3
    assert await layout_problems(laptop, tap_targets=False) == []

    await fits_a_phone(dashboard, phone, coordinator, "/web/programme")


async def test_a_lecturer_schedules_an_announcement_and_sees_it_go_out(
    dashboard: DashboardSite, laptop: Tab, phone: Tab
) -> None:
    runtime = dashboard.runtime
    runtime.academy.services.clock = lambda: dashboard.clock[0]
    lecturer = await add_person(runtime, Role.lecturer, name="Li Na", user_id="lec")
    await add_class(runtime, "Peaches", lecturer, members=2)
    await sign_in(dashboard, laptop, lecturer)

    await follow(laptop, "Peaches")  # the class's page, with the lecturer's tools
    await follow(laptop, en("web.ann_title"))
    text = "Market day is Saturday: bring your photos"
    await laptop.do(lambda page: page.get_by_label(en("web.ann_text", count=2)).fill(text))
    await laptop.press(en("web.ann_preview"))
    assert text in await laptop.text()
    await laptop.press("⏰ Today at 19:00")
    listed = await laptop.text()
    assert en("web.ann_status_scheduled") in listed and text in listed
    assert await layout_problems(laptop, tap_targets=False) == []

    recorder = Recorder()
    engine = engine_of(runtime, recorder)
    await engine.tick()
    assert recorder.sent == []  # not before its time
    dashboard.clock[0] = EVENING
    await engine.tick()
    await engine.tick()  # the reporter sees every delivery final and tells the author
    for member in ("Peaches-member-0", "Peaches-member-1"):
        assert [got for got in recorder.texts_to(member) if got.endswith(text)] != []
    await laptop.do(lambda page: page.reload())
    listed = await laptop.text()
    assert en("announce.report", sent=2, failed=0, blocked=0) in listed
    assert en("web.ann_status_done") in listed

    path = laptop.url.removeprefix(dashboard.server.base_url)
    await fits_a_phone(dashboard, phone, lecturer, path)


async def test_every_staff_page_fits_a_phone_at_double_font_size(
    dashboard: DashboardSite, phone: Tab
) -> None:
    """Each staff page as an admin sees it (every section shown), on a 360 px phone, at the
    browser's normal and doubled font size: no sideways scrolling, nothing cut off; the forms'
    buttons and fields big enough for a finger."""
    runtime = dashboard.runtime
    lecturer = await add_person(runtime, Role.lecturer, name="Guadalupe Hernández Ramírez")
    cohort = await add_class(runtime, "Cooperativa de Nueces de San Mateo", lecturer, members=3)
    admin = await add_person(runtime, Role.admin, name="Mei")
    async with runtime.sessions() as session:
        trainee = (
            await session.exec(select(Membership.person_id).where(Membership.cohort_id == cohort))
        ).first()
    await sign_in(dashboard, phone, admin)
    pages = [
        "/web",
        "/web/programme",
        f"/web/classes/{cohort}",
        f"/web/trainees/{trainee}",
        f"/web/classes/{cohort}/join",
        f"/web/classes/{cohort}/plan",
        f"/web/classes/{cohort}/announcements",
        "/web/questions",
        "/web/answers",
        "/web/course",
    ]
    for path in pages:
        assert await phone.open(dashboard.server.base_url + path) == 200, path
        assert await layout_problems(phone, tap_targets=True) == [], path
    await double_the_font_size(phone)
    for path in pages:
        await phone.open(dashboard.server.base_url + path)
        assert await layout_problems(phone, tap_targets=False) == [], f"{path} at 200 %"
