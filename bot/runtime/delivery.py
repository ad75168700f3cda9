"""Building the delivery engine for a running bot or a stand-alone sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db import choices, downloads, receipts, web_sign_in
from bot.db.processed import forget_old
from bot.scheduling import announcements, plans, reminders
from bot.scheduling.engine import DeliveryEngine, Planner
from bot.scheduling.services import SchedulerServices
from bot.scheduling.transport import Transport

if TYPE_CHECKING:
    from bot.runtime.core import Runtime


async def forget_applied_updates(
    session: AsyncSession, _services: SchedulerServices, now: datetime
) -> None:
    """Updates applied days ago will not be redelivered: their marks can go."""
    await forget_old(session, now)


async def forget_old_receipts(
    session: AsyncSession, services: SchedulerServices, now: datetime
) -> None:
    """Receipts older than `receipts.KEEP` go (never younger than the unreachable window)."""
    window = timedelta(days=services.settings.unreachable_after_days)
    await receipts.prune(session, now, max(receipts.KEEP, 2 * window))


async def forget_old_choices(
    session: AsyncSession, _services: SchedulerServices, now: datetime
) -> None:
    """Numbered choices offered over `choices.KEEP` ago are no longer read: they can go."""
    await choices.prune(session, now)


async def forget_old_downloads(
    session: AsyncSession, _services: SchedulerServices, now: datetime
) -> None:
    """Files kept behind a download link (WeChat) go once their link ran out."""
    await downloads.prune(session, now)


async def forget_old_web_sign_ins(
    session: AsyncSession, _services: SchedulerServices, now: datetime
) -> None:
    """Dashboard sign-in links and sessions go once they ran out."""
    await web_sign_in.prune(session, now)


def planners() -> list[Planner]:
    """Everything that turns schedules into delivery rows, in the order they run each tick (and
    the housekeeping that rides on the tick)."""
    return [
        plans.plan_lessons,
        reminders.plan_reminders,
        announcements.report_finished,
        forget_applied_updates,
        forget_old_receipts,
        forget_old_choices,
        forget_old_downloads,
        forget_old_web_sign_ins,
    ]


def build_engine(runtime: Runtime, transports: Sequence[Transport]) -> DeliveryEngine:
    """The delivery engine sending through `transports` (one per channel)."""
    settings = runtime.settings
    return DeliveryEngine(
        runtime.sessions,
        runtime.academy.services,
        {t.channel: t for t in transports},
        planners=planners(),
        concurrency=settings.delivery_concurrency,
        lease=timedelta(seconds=settings.delivery_lease),
    )
