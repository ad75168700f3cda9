"""Announcements to a class: fan-out to every member, and the counts back to the author."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    Announcement,
    AnnouncementStatus,
    DeliveryKind,
    DeliveryStatus,
    Membership,
    Person,
)
from bot.scheduling import store
from bot.scheduling.services import SchedulerServices


def ref_of(announcement: Announcement) -> str:
    return f"ann:{announcement.id}"


async def schedule(session: AsyncSession, announcement: Announcement, send_at: datetime) -> int:
    """One delivery per member of the class (not to people who blocked the bot); how many."""
    members = list(
        await session.exec(
            select(Person.id)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .where(Membership.cohort_id == announcement.cohort_id, col(Person.blocked).is_(False))
        )
    )
    announcement.status, announcement.send_at = AnnouncementStatus.scheduled, send_at
    session.add(announcement)
    await store.enqueue(
        session,
        [m for m in members if m is not None],
        kind=DeliveryKind.announcement,
        ref=ref_of(announcement),
        due_at=send_at,
    )
    return len(members)


async def report_finished(
    session: AsyncSession, services: SchedulerServices, now: datetime
) -> None:
    """Planner: when an announcement has gone out to everyone it could, tell its author."""
    waiting = await session.exec(
        select(Announcement).where(
            Announcement.status == AnnouncementStatus.scheduled,
            col(Announcement.reported).is_(False),
            col(Announcement.send_at) <= now,
        )
    )
    for announcement in waiting:
        numbers = await store.counts(
            session, kind=DeliveryKind.announcement, ref=ref_of(announcement)
        )
        if numbers.get(DeliveryStatus.pending, 0) or numbers.get(DeliveryStatus.sending, 0):
            continue
        announcement.status, announcement.reported = AnnouncementStatus.done, True
        session.add(announcement)
        if announcement.author_id is not None:
            await store.enqueue(
                session,
                [announcement.author_id],
                kind=DeliveryKind.report,
                ref=ref_of(announcement),
                due_at=now,
            )
