"""The Telegram Mini App signs a person in from its initData, over real HTTP (both backends):
valid for a known Telegram account opens a session, forged, expired or unknown is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from pydantic import SecretStr

from bot.db.models import Role
from bot.i18n import Translator
from tests.web.conftest import Browser, DashboardServer, DashboardSite, Page, add_person
from tests.web.test_init_data import TOKEN, fields, telegram_signs

en = Translator("en")


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


async def test_an_unknown_telegram_account_is_told_to_start_the_bot(
    dashboard: DashboardSite, telegram: DashboardServer
) -> None:
    await add_person(dashboard.runtime, Role.admin, channel="test", user_id="4242")
    browser, sent = await open_app(telegram, telegram_signs(fields(dashboard.now)))
    async with browser:
        assert sent.status == 403 and sent.shows(en("web.mini_app_unknown"))


async def test_without_a_bot_token_the_mini_app_signs_no_one_in(
    dashboard: DashboardSite,
) -> None:
    await add_person(dashboard.runtime, Role.admin, channel="telegram", user_id="4242")
    data = telegram_signs(fields(dashboard.now), token="")
    browser, sent = await open_app(dashboard.server, data)
    async with browser:
        assert sent.status == 403
