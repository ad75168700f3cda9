"""Signing in to the dashboard over real HTTP on a migrated database (both backends): a one-time
link that a preview cannot spend, works once and for ten minutes; the session's cookie and its
expiry; sign-out; CSRF on every POST; the headers every page carries."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from bot.db.models import Person, Role, WebLogin, WebSession
from bot.db.web_sign_in import LOGIN_LIFETIME, SESSION_IDLE, SESSION_LONGEST, token_hash
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.web.conftest import Browser, DashboardServer, DashboardSite, add_person

en, zh, es = Translator("en"), Translator("zh"), Translator("es")


async def test_a_link_signs_in_once_and_its_page_spends_nothing(dashboard: DashboardSite) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer, name="Lee")
    link = await dashboard.link_for(lee)
    async with dashboard.browser() as browser, dashboard.browser() as preview:
        for _ in range(2):  # a chat app's preview, then the person: nothing spent
            page = await preview.get(link)
            assert page.status == 200 and page.shows(en("web.sign_in_button"))
            assert 'method="post"' in page.text and not preview.cookie()
        signed = await browser.sign_in(link)
        assert (signed.status, signed.location) == (303, "/web")
        home = await browser.get("/web")
        assert home.status == 200 and home.shows(en("web.home_hello", name="Lee"))
        again = await preview.post(link, csrf="")
        assert again.status == 410 and again.shows(en("web.link_used"))
        assert not preview.cookie()
    async with dashboard.runtime.sessions() as session:
        logins = list(await session.exec(select(WebLogin)))
    assert [login.used_at for login in logins] == [dashboard.now]
    assert logins[0].token_hash == token_hash(link.rsplit("/", 1)[1]) != link.rsplit("/", 1)[1]


async def test_an_expired_link_says_so_in_the_persons_language(dashboard: DashboardSite) -> None:
    wang = await add_person(dashboard.runtime, Role.coordinator, name="Wang", language="zh")
    link = await dashboard.link_for(wang)
    dashboard.later(LOGIN_LIFETIME)
    async with dashboard.browser("en") as browser:
        page = await browser.sign_in(link)
        assert page.status == 410 and page.shows(zh("web.link_expired"))
        assert not browser.cookie()
        assert (await browser.get("/web")).status == 303


async def test_a_link_still_works_just_before_it_expires(dashboard: DashboardSite) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer)
    link = await dashboard.link_for(lee)
    dashboard.later(LOGIN_LIFETIME - timedelta(seconds=1))
    async with dashboard.browser() as browser:
        assert (await browser.sign_in(link)).status == 303


async def test_an_unknown_link_is_refused_in_the_browsers_language(
    dashboard: DashboardSite,
) -> None:
    async with dashboard.browser("es-MX,es;q=0.9") as browser:
        page = await browser.sign_in("/web/login/made-up-token")
        assert page.status == 403 and page.shows(es("web.link_unknown"))
        long = await browser.sign_in("/web/login/" + "x" * 300)
        assert long.status == 403


async def test_a_sign_in_posted_from_another_site_is_refused(dashboard: DashboardSite) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer)
    link = await dashboard.link_for(lee)
    async with dashboard.browser() as browser:
        elsewhere = await browser.post(link, csrf="", headers={"Sec-Fetch-Site": "cross-site"})
        assert elsewhere.status == 403 and not browser.cookie()
        app = await browser.post(
            "/web/app/session", {"init_data": "x"}, csrf="", headers={"Sec-Fetch-Site": "same-site"}
        )
        assert app.status == 403
        ours = await browser.post(link, csrf="", headers={"Sec-Fetch-Site": "same-origin"})
        assert ours.status == 303  # the link was not spent by the refused one


async def test_two_clicks_at_once_open_one_session(dashboard: DashboardSite) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer)
    link = await dashboard.link_for(lee)
    async with dashboard.browser() as one, dashboard.browser() as two:
        pages = await asyncio.gather(one.post(link, csrf=""), two.post(link, csrf=""))
    assert sorted(page.status for page in pages) == [303, 410]
    async with dashboard.runtime.sessions() as session:
        assert len(list(await session.exec(select(WebSession)))) == 1


async def test_without_a_session_pages_send_you_to_the_sign_in_help(
    dashboard: DashboardSite,
) -> None:
    async with dashboard.browser("zh-CN,zh;q=0.9") as browser:
        page = await browser.get("/web")
        assert (page.status, page.location) == (303, "/web/login")
        assert (await browser.get("/web/no-such-page")).location == "/web/login"
        help_page = await browser.get("/web/login")
        assert help_page.status == 200 and help_page.shows(zh("web.sign_in_help"))
        assert 'lang="zh"' in help_page.text
        posted = await browser.post("/web/logout", csrf="")
        assert posted.status == 403 and posted.shows(zh("web.signed_out"))
        browser.http.cookie_jar.update_cookies({"academy_session": "forged"})
        assert (await browser.get("/web")).status == 303


async def test_the_cookie_is_http_only_lax_and_for_web_only(dashboard: DashboardSite) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer)
    async with dashboard.browser() as browser:
        page = await browser.sign_in(await dashboard.link_for(lee))
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("academy_session=")
    for flag in ("HttpOnly", "SameSite=Lax", "Path=/web", f"Max-Age={7 * 24 * 3600}"):
        assert flag in cookie
    assert "Secure" not in cookie  # plain http://127.0.0.1: a Secure cookie would never come back


async def test_the_cookie_is_secure_when_the_public_address_is_https(
    dashboard: DashboardSite,
) -> None:
    runtime = dashboard.runtime
    async with DashboardServer(runtime, dashboard.clock, public_url="https://a.example") as https:
        lee = await add_person(runtime, Role.lecturer)
        async with Browser(https) as browser:
            path = (await dashboard.link_for(lee)).removeprefix(dashboard.server.base_url)
            page = await browser.post(path)
    assert page.status == 303 and "Secure" in page.headers["Set-Cookie"]


async def test_a_session_lasts_a_week_from_the_last_visit_and_a_month_at_most(
    dashboard: DashboardSite,
) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer)
    browser = await dashboard.signed_in(lee)
    try:
        for _ in range(4):  # a visit every six days keeps it alive...
            dashboard.later(SESSION_IDLE - timedelta(days=1))
            page = await browser.get("/web")
            assert page.status == 200
            assert "academy_session=" in page.headers.get("Set-Cookie", "")  # renewed
        dashboard.later(SESSION_LONGEST - 4 * (SESSION_IDLE - timedelta(days=1)))
        assert (await browser.get("/web")).status == 303  # ...for a month at most
        idle = await dashboard.signed_in(lee)
        dashboard.later(SESSION_IDLE)
        assert (await idle.get("/web")).status == 303  # a week away: signed out
        await idle.close()
    finally:
        await browser.close()


async def test_signing_out_ends_the_session_on_the_server(dashboard: DashboardSite) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer, language="es")
    async with await dashboard.signed_in(lee) as browser:
        cookie = browser.cookie()
        page = await browser.post("/web/logout")
        assert page.status == 200 and page.shows(es("web.signed_out_done"))
        assert not browser.cookie()
        browser.http.cookie_jar.update_cookies({"academy_session": cookie})  # kept a copy
        assert (await browser.get("/web")).status == 303
    async with dashboard.runtime.sessions() as session:
        assert list(await session.exec(select(WebSession))) == []


async def test_every_post_needs_the_sessions_csrf_token(dashboard: DashboardSite) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer)
    async with await dashboard.signed_in(lee) as browser, dashboard.browser() as other:
        assert browser.csrf
        missing = await browser.post("/web/logout", csrf="")
        assert missing.status == 403 and missing.shows(en("web.csrf_refused"))
        wrong = await browser.post("/web/logout", csrf=browser.csrf[:-2] + "xx")
        assert wrong.status == 403
        async with await dashboard.signed_in(lee) as second:  # another session's token
            assert second.csrf != browser.csrf
            assert (await browser.post("/web/logout", csrf=second.csrf)).status == 403
        assert (await browser.get("/web")).status == 200  # refused POSTs changed nothing
        by_header = await browser.post(
            "/web/logout", csrf="", headers={"X-CSRF-Token": browser.csrf}
        )
        assert by_header.status == 200
        assert (await other.post("/web/logout", csrf="")).status == 403


async def test_a_trainee_with_a_session_is_refused_in_their_language(
    dashboard: DashboardSite,
) -> None:
    ana = await add_person(dashboard.runtime, Role.trainee, language="es")
    async with dashboard.browser("en") as browser:
        assert (await browser.sign_in(await dashboard.link_for(ana))).status == 303
        page = await browser.get("/web")
        assert page.status == 403 and page.shows(es("web.refused"))
        assert es("web.nav_classes") not in page.text  # no staff menu
        assert (await browser.post("/web/logout")).status == 200  # but may sign out


async def test_every_page_carries_the_security_headers(dashboard: DashboardSite) -> None:
    lee = await add_person(dashboard.runtime, Role.lecturer)
    async with await dashboard.signed_in(lee) as browser:
        for path in ("/web", "/web/login", "/web/nothing-here"):
            page = await browser.get(path)
            headers = page.headers
            assert "script-src 'self'" in headers["Content-Security-Policy"], path
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
            assert headers["X-Frame-Options"] == "DENY", path
            assert headers["Cache-Control"] == "no-store", path
            assert headers["Referrer-Policy"] == "no-referrer", path
            assert headers["X-Content-Type-Options"] == "nosniff", path
        assert (await browser.get("/web/nothing-here")).status == 404
        app = await browser.get("/web/app")  # Telegram shows the Mini App in a frame
        assert app.status == 200 and "X-Frame-Options" not in app.headers
        assert "frame-ancestors" not in app.headers["Content-Security-Policy"]
        assert "<script" in app.text and "http" not in app.text.split("<script", 1)[1][:80]


async def test_static_files_are_served_and_cached(dashboard: DashboardSite) -> None:
    async with dashboard.browser() as browser:
        home = await browser.get("/web/login")
        css_url = home.text.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert css_url.startswith("/web/static/site.css?v=")
        css = await browser.get(css_url)
        assert css.status == 200 and "font" in css.text
        assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert (
            "max-age=3600" in (await browser.get("/web/static/site.css")).headers["Cache-Control"]
        )
        script = await browser.get("/web/static/miniapp.js")
        assert script.status == 200 and "tgWebAppData" in script.text


async def test_forgetting_a_person_removes_their_links_and_sessions(
    dashboard: DashboardSite,
) -> None:
    from bot.cohorts.privacy import forget

    runtime = dashboard.runtime
    lee = await add_person(runtime, Role.lecturer)
    browser = await dashboard.signed_in(lee)
    await dashboard.link_for(lee)  # one not used yet
    async with runtime.sessions() as session:
        person = await session.get(Person, lee)
        assert person is not None
        await forget(session, person, runtime.academy.services.courses, dashboard.now)
        await session.commit()
        assert list(await session.exec(select(WebLogin))) == []
        assert list(await session.exec(select(WebSession))) == []
    assert (await browser.get("/web")).status == 303
    await browser.close()


async def test_expired_links_and_sessions_are_pruned(runtime: Runtime) -> None:
    from bot.db.web_sign_in import new_login, open_session, prune
    from tests.web.conftest import DASHBOARD_START as now

    lee = await add_person(runtime, Role.lecturer)
    async with runtime.sessions() as session:
        await new_login(session, lee, now)
        await open_session(session, lee, now)
        await session.commit()
        assert await prune(session, now + LOGIN_LIFETIME - timedelta(seconds=1)) == 0
        assert await prune(session, now + LOGIN_LIFETIME) == 1  # the link
        await new_login(session, lee, now + SESSION_IDLE)  # prunes the session on the way
        await session.commit()
        assert list(await session.exec(select(WebSession))) == []
        assert len(list(await session.exec(select(WebLogin)))) == 1
