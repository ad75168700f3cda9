"""The conversation, feature by feature. Handlers take a Context and return Replies."""

from __future__ import annotations

from bot.handlers import (
    announce,
    answers,
    ask,
    certificates,
    cohorts,
    course_sheet,
    fallback,
    join,
    lessons,
    link,
    plans,
    privacy,
    progress,
    reminders,
    review,
    scheduled,
    start,
    stats,
    web,
)
from bot.pipeline.router import Router

# Commands shown in the client's command list, with the catalog key of their description.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "command.start"),
    ("lesson", "command.lesson"),
    ("progress", "command.progress"),
    ("review", "command.review"),
    ("reminders", "command.reminders"),
    ("certificate", "command.certificate"),
    ("ask", "command.ask"),
    ("join", "command.join"),
    ("link", "command.link"),
    ("help", "command.help"),
    ("language", "command.language"),
    ("mydata", "command.mydata"),
    ("forgetme", "command.forgetme"),
)


def build_router() -> Router:
    """Every feature's handlers in one router; fallbacks first so features override them."""
    root = Router("root")
    root.include(
        fallback.router,
        start.router,
        lessons.router,
        review.router,
        progress.router,
        reminders.router,
        certificates.router,
        join.router,
        link.router,
        cohorts.router,
        plans.router,
        announce.router,
        scheduled.router,
        privacy.router,
        stats.router,
        ask.router,
        answers.router,
        web.router,
        course_sheet.router,
    )
    return root
