"""The lecturer's pages of the dashboard: a class's join link and QR code, its lesson plan as a
calendar, its announcements; the questions passed to the viewer and their answer entries. Each
does what the chat does, through the same domain functions."""

from __future__ import annotations

from aiohttp import web

from bot.web.lecturer.announce import add_announcement_routes
from bot.web.lecturer.answers import add_answers_routes
from bot.web.lecturer.join import add_join_routes
from bot.web.lecturer.plan import add_plan_routes
from bot.web.lecturer.questions import add_question_routes


def add_lecturer_routes(app: web.Application) -> None:
    add_join_routes(app)
    add_plan_routes(app)
    add_announcement_routes(app)
    add_question_routes(app)
    add_answers_routes(app)
