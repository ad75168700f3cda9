"""/web through the real pipeline: lecturers, coordinators and admins get a one-time sign-in
link (which then works on the dashboard); a trainee gets the usual refusal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.db.models import Person, Role, WebLogin
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings
from tests.web.conftest import DashboardSite, open_dashboard

en = Translator("en")
LINK = re.compile(r"(http://\S+/web/login/)([A-Za-z0-9_-]{43})")


@pytest.fixture
async def dashboard(runtime: Runtime) -> AsyncIterator[DashboardSite]:
    async with open_dashboard(runtime) as site:
        yield site


def dashboard_on(runtime: Runtime, **settings: object) -> None:
    """The handlers' settings with the dashboard on (the tests' default is off)."""
    url = runtime.settings.database_url
    runtime.academy.services.settings = make_settings(url, web_dashboard=True, **settings)


async def with_role(runtime: Runtime, person: Trainee, role: Role) -> None:
    await person.send("/start")
    async with runtime.sessions() as session:
        found = await session.exec(
            select(Person).where(Person.channel_user_id == person.sender.user_id)
        )
        me = found.one()
        me.role = role
        session.add(me)
        await session.commit()


@pytest.mark.parametrize("role", [Role.lecturer, Role.coordinator, Role.admin])
async def test_staff_get_a_link_that_signs_them_in(
    dashboard: DashboardSite, trainee_factory, role: Role
) -> None:
    dashboard_on(dashboard.runtime, admin_ids="test:7" if role is Role.admin else "")
    lee = trainee_factory("7", "Lee", "en")
    await with_role(dashboard.runtime, lee, role)
    (reply,) = await lee.send("/web")
    found = LINK.search(reply.text)
    assert found, reply.text
    assert reply.text == en("web.link", link=found.group(0), minutes=10)
    # The base is this server's own address when PUBLIC_URL is empty.
    assert found.group(1) == "http://127.0.0.1:8080/web/login/"
    path = found.group(0).removeprefix("http://127.0.0.1:8080")
    async with dashboard.browser() as browser:
        page = await browser.sign_in(dashboard.server.base_url + path)
        assert (page.status, page.location) == (303, "/web")
        assert (await browser.get("/web")).status == 200


async def test_a_trainee_is_told_it_is_not_for_them(runtime: Runtime, trainee_factory) -> None:
    dashboard_on(runtime)
    ana = trainee_factory("1", "Ana", "en")
    await ana.send("/start")
    (reply,) = await ana.send("/web")
    assert reply.text == en("access.denied")
    async with runtime.sessions() as session:
        assert list(await session.exec(select(WebLogin))) == []


async def test_the_link_uses_public_url(dashboard: DashboardSite) -> None:
    runtime = dashboard.runtime
    dashboard_on(runtime, public_url="https://academy.example.org/")
    boss = Trainee(runtime, "9", "Boss", "zh")
    await with_role(runtime, boss, Role.coordinator)
    (reply,) = await boss.send("/web")
    assert "https://academy.example.org/web/login/" in reply.text
    assert reply.text.startswith(Translator("zh")("web.link", link="", minutes=10)[:6])


async def test_with_the_dashboard_off_it_says_so(runtime: Runtime, trainee_factory) -> None:
    lee = trainee_factory("7", "Lee", "en")
    await with_role(runtime, lee, Role.lecturer)
    (reply,) = await lee.send("/web")  # tests' settings: WEB_DASHBOARD=false
    assert reply.text == en("web.dashboard_off")
