"""Building the delivery engine for a running bot or a stand-alone sender."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime import Runtime
from bot.scheduling import announcements, plans, reminders
from bot.scheduling.engine import DeliveryEngine, Planner
from bot.scheduling.transport import Transport


def planners() -> list[Planner]:
    """Everything that turns schedules into delivery rows, in the order they run each tick."""
    return [plans.plan_lessons, reminders.plan_reminders, announcements.report_finished]


def build_engine(runtime: Runtime, transports: list[Transport]) -> DeliveryEngine:
    settings = runtime.settings
    return DeliveryEngine(
        runtime.sessions,
        runtime.academy.services,
        {t.channel: t for t in transports},
        planners=planners(),
        concurrency=settings.delivery_concurrency,
        lease=timedelta(seconds=settings.delivery_lease),
    )
