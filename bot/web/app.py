"""Every web page the runtime serves, on the shared aiohttp app (beside the web-hooks and
/healthz): the lesson pages and downloads any channel links to, and the dashboard under /web.

A new dashboard page is one module with an `add_..._routes(app)` that calls `add_page`
(bot/web/pages.py), listed in `add_dashboard` below.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.files import add_file_routes
from bot.web.guard import guard
from bot.web.home import add_home_routes
from bot.web.lecturer import add_lecturer_routes
from bot.web.lesson import add_lesson_routes
from bot.web.pages import DASHBOARD, STATIC, STATIC_DIR, Dashboard
from bot.web.programme import add_programme_routes
from bot.web.signin import add_sign_in_routes


def add_web_routes(app: web.Application, dashboard: Dashboard) -> None:
    """The lesson page and downloads (every channel links to them), and the dashboard unless
    WEB_DASHBOARD is off."""
    add_lesson_routes(
        app,
        secret=dashboard.settings.lesson_link_secret,
        sessions=dashboard.sessions,
        courses=dashboard.courses,
        clock=dashboard.clock,
    )
    add_file_routes(app, sessions=dashboard.sessions, clock=dashboard.clock)
    if dashboard.settings.web_dashboard:
        add_dashboard(app, dashboard)


def add_dashboard(app: web.Application, dashboard: Dashboard) -> None:
    """The dashboard's pages, its static files and the guard in front of them."""
    app[DASHBOARD] = dashboard
    app.middlewares.append(guard)
    app.router.add_static(STATIC, STATIC_DIR)
    add_sign_in_routes(app)
    add_home_routes(app)
    add_programme_routes(app)

    add_lecturer_routes(app)
