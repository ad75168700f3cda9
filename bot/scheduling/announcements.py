"""Announcements to a class: fan-out to every member, and the counts back to the author."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Button, Reply
from bot.core.payloads import AnnouncementCounts
from bot.db.models import (
    Announcement,
    AnnouncementStatus,
    DeliveryKind,
    DeliveryStatus,
    Membership,
    Person,
)
from bot.db.receipts import announcement_receipts_by_channel
from bot.i18n import Translator
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


# The line of each channel that reports receipts; WhatsApp's (reads included) is the default.
RECEIPTS_LINE = {"wechat": "announce.receipts_wechat"}  # template messages: arrived or not


async def receipts_line(session: AsyncSession, t: Translator, announcement: Announcement) -> str:
    """ "📬 On WhatsApp: it reached 38 of 40 phones · 25 read it", a line per channel that
    reports receipts; "" when none of the class is on one (Telegram says nothing of the kind)."""
    seen = await announcement_receipts_by_channel(session, ref_of(announcement))
    return "\n".join(
        t(
            RECEIPTS_LINE.get(channel, "announce.receipts"),
            tracked=counts.tracked,
            delivered=counts.delivered,
            read=counts.read,
            failed=counts.failed,
        )
        for channel, counts in sorted(seen.items())
        if counts.tracked
    )


async def report(session: AsyncSession, t: Translator, announcement: Announcement) -> Reply:
    """The author's report: how many it was sent to, failed, blocked the bot; and, for the people
    on WhatsApp, how many have it on their phone and have read it so far, with a button that
    shows those counts again later (receipts keep coming after the report)."""
    numbers = await store.counts(session, kind=DeliveryKind.announcement, ref=ref_of(announcement))
    text = t(
        "announce.report",
        sent=numbers.get(DeliveryStatus.sent, 0),
        failed=numbers.get(DeliveryStatus.failed, 0),
        blocked=numbers.get(DeliveryStatus.blocked, 0),
    )
    line = await receipts_line(session, t, announcement)
    if not line:
        return Reply(text)
    again = AnnouncementCounts(announcement.cohort_id, announcement.id or 0)
    return Reply(f"{text}\n{line}", buttons=((Button(t("announce.counts_again"), again.pack()),),))
