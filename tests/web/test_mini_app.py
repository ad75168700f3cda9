"""The Telegram Mini App sends a person on from its initData, over real HTTP (both backends):
staff are signed in to the dashboard, a trainee opens their next lesson's page (no session), a
person the bot does not know is told to press Start; forged or expired data is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlmodel import select

from bot.db.models import LessonProgress, Person, Role
from bot.i18n import Translator
from bot.lessons.links import LESSON_PATH
from tests.web.conftest import Browser, DashboardServer, DashboardSite, Page, add_person
from tests.web.pages import Phone
from tests.web.test_init_data import TOKEN, fields, telegram_signs

en, zh = Translator("en"), Translator("zh")


@pytest.fixture
async def telegram(dashboard: DashboardSite) -> AsyncIterator[DashboardServer]:
    """The dashboard of a Telegram bot (BOT_TOKEN set), on the same clock."""
    server = DashboardServer(dashboard.runtime, dashboard.clock, bot_token=SecretStr(TOKEN))
    async with server:
        yield server


async def open_app(server: DashboardServer, init_data: str) -> tuple[Browser, Page]:
    """Open the Mini App's page and post `init_data` as its script does."""
    browser = Browser(server)
    page = await browser.get("/web/app")
    assert page.status == 200 and 'name="init_data"' in page.text
    return browser, await browser.post("/web/app/session", {"init_data": init_data}, csrf="")


async def test_a_known_telegram_account_is_signed_in(
    dashboard: DashboardSite, telegram: DashboardServer
) -> None:
    await add_person(
        dashboard.runtime, Role.coordinator, name="Lee", channel="telegram", user_id="4242"
    )
    data = telegram_signs(fields(dashboard.now - timedelta(minutes=1)))
    browser, sent = await open_app(telegram, data)
    async with browser:
        assert (sent.status, sent.location) == (303, "/web")
        home = await browser.get("/web")
        assert home.status == 200 and home.shows(en("web.home_hello", name="Lee"))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda now: telegram_signs(fields(now), token="1:other"), "forged"),
        (lambda now: telegram_signs(fields(now)).replace("4242", "4243"), "changed"),
        (lambda now: telegram_signs(fields(now - timedelta(days=2))), "expired"),
        (lambda now: "nonsense", "malformed"),
    ],
)
async def test_bad_init_data_is_refused(
    dashboard: DashboardSite, telegram: DashboardServer, make, reason: str
) -> None:
    await add_person(dashboard.runtime, Role.admin, channel="telegram", user_id="4242")
    await add_person(dashboard.runtime, Role.admin, channel="telegram", user_id="4243")
    browser, sent = await open_app(telegram, make(dashboard.now))
    async with browser:
        assert sent.status == 403, reason
        assert sent.shows(en("web.mini_app_refused"))
        assert not browser.cookie()


async def test_an_unknown_telegram_account_is_told_to_press_start_in_its_language(
    dashboard: DashboardSite, telegram: DashboardServer
) -> None:
    await add_person(dashboard.runtime, Role.admin, channel="test", user_id="4242")
    browser, sent = await open_app(telegram, telegram_signs(fields(dashboard.now)))
    async with browser:  # the browser asks for English; Telegram says the person reads Chinese
        assert sent.status == 200 and sent.shows(zh("web.mini_app_unknown"))
        assert sent.headers["Content-Language"] == "zh"
        assert not browser.cookie()


async def test_a_trainee_opens_their_next_lesson_and_gets_no_session(
    dashboard: DashboardSite, telegram: DashboardServer
) -> None:
    person_id = await add_person(
        dashboard.runtime, Role.trainee, language="es", channel="telegram", user_id="4242"
    )
    browser, sent = await open_app(telegram, telegram_signs(fields(dashboard.now)))
    async with browser:
        assert sent.status == 303
        assert sent.location.startswith(LESSON_PATH.format(token=f"{person_id}.sample.next."))
        assert not browser.cookie()  # a trainee is never signed in to the dashboard
        assert (await browser.get("/web")).status == 303  # so staff pages send them away
    es = Translator("es")
    course = dashboard.runtime.academy.services.courses["sample"]
    lesson = course.lesson(course.lessons[0], "es")
    phone = await Phone().open(telegram.base_url + sent.location)
    assert phone.status == 200 and lesson.title in phone.text  # in the trainee's language
    await phone.press(es("lesson.next"))  # the page works: the next card, saved as in the chat
    assert phone.status == 200
    async with dashboard.runtime.sessions() as session:
        [row] = await session.exec(select(LessonProgress))
    assert (row.person_id, row.lesson) == (person_id, course.lessons[0])


async def test_a_trainee_whose_course_is_gone_opens_the_default_course(
    dashboard: DashboardSite, telegram: DashboardServer
) -> None:
    person_id = await add_person(
        dashboard.runtime, Role.trainee, channel="telegram", user_id="4242"
    )
    async with dashboard.runtime.sessions() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        person.course_id = "gone"  # a course no longer loaded: the default one, as in the chat
        await session.commit()
    browser, sent = await open_app(telegram, telegram_signs(fields(dashboard.now)))
    await browser.close()
    assert sent.location.startswith(f"/lesson/{person_id}.sample.next.")


async def test_forged_or_expired_data_sends_no_trainee_to_a_lesson(
    dashboard: DashboardSite, telegram: DashboardServer
) -> None:
    await add_person(dashboard.runtime, Role.trainee, channel="telegram", user_id="4242")
    for data in (
        telegram_signs(fields(dashboard.now), token="1:other"),
        telegram_signs(fields(dashboard.now - timedelta(days=2))),
    ):
        browser, sent = await open_app(telegram, data)
        async with browser:
            assert sent.status == 403 and sent.shows(en("web.mini_app_refused"))
            assert "/lesson/" not in sent.text and not sent.location


async def test_without_a_bot_token_the_mini_app_signs_no_one_in(
    dashboard: DashboardSite,
) -> None:
    await add_person(dashboard.runtime, Role.admin, channel="telegram", user_id="4242")
    data = telegram_signs(fields(dashboard.now), token="")
    browser, sent = await open_app(dashboard.server, data)
    async with browser:
        assert sent.status == 403
