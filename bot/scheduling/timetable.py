"""What a class has coming: the next lesson its plan opens and the next announcement its lecturer
scheduled, for trainees who ask "when is the next class?"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Announcement, AnnouncementStatus, Cohort, LessonPlan
from bot.scheduling.plans import PlanError, occurrences, running_plan

_LOOK_AHEAD = 400  # plan steps searched for one after now; a plan is never that long


@dataclass(frozen=True)
class Coming:
    """The class's next dates (UTC); None where the bot does not know one."""

    lesson_at: datetime | None
    announcement_at: datetime | None

    @property
    def known(self) -> bool:
        return self.lesson_at is not None or self.announcement_at is not None


async def coming_up(session: AsyncSession, cohort: Cohort, now: datetime) -> Coming:
    """When the class's running plan opens its next lesson, and when its next scheduled
    announcement goes out; both after `now`."""
    plan = await running_plan(session, cohort.id)
    announcement = (
        await session.exec(
            select(Announcement.send_at)
            .where(
                Announcement.cohort_id == cohort.id,
                Announcement.status == AnnouncementStatus.scheduled,
                col(Announcement.send_at) > now,
            )
            .order_by(col(Announcement.send_at))
            .limit(1)
        )
    ).first()
    return Coming(_next_step(plan, cohort.timezone, now), announcement)


def _next_step(plan: LessonPlan | None, timezone: str, now: datetime) -> datetime | None:
    if plan is None:
        return None
    try:
        steps = occurrences(plan, timezone, plan.next_step)
        return next(
            (at for _, at in zip(range(_LOOK_AHEAD), steps, strict=False) if at > now), None
        )
    except PlanError:  # a broken plan knows no date
        return None
