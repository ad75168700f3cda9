"""Announcements to a class: fan-out to every member, and the counts back to the author."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Button, Reply
from bot.core.payloads import AnnouncementCounts, SendWhen
from bot.db.models import (
    Announcement,
    AnnouncementStatus,
    Cohort,
    DeliveryKind,
    DeliveryStatus,
    Membership,
    Person,
)
from bot.db.receipts import announcement_receipts_by_channel
from bot.i18n import Translator
from bot.localtime import DAY, QuietHours, local_day, local_instant
from bot.scheduling import store
from bot.scheduling.services import SchedulerServices

LIMIT = 4000  # Announcement.text's column
EVENING, MORNING = time(19, 0), time(9, 0)


def ref_of(announcement: Announcement) -> str:
    return f"ann:{announcement.id}"


def send_options(now: datetime, tz: str, hours: QuietHours) -> dict[SendWhen, datetime]:
    """When an announcement can go: now, this evening at 19:00 (tomorrow's when that has passed
    or is in quiet hours), tomorrow at 09:00; each moved out of the quiet hours. Same instants
    are offered once."""
    zone = ZoneInfo(tz)
    today = local_day(tz, now)
    evening = local_instant(today, EVENING, zone)
    if evening <= now or hours.contains(EVENING):
        evening = local_instant(today + DAY, EVENING, zone)
    morning = local_instant(today + DAY, MORNING, zone)
    options: dict[SendWhen, datetime] = {}
    for code, instant in (
        (SendWhen.now, now),
        (SendWhen.evening, evening),
        (SendWhen.morning, morning),
    ):
        instant = hours.end_after(instant, zone)
        if instant not in options.values():
            options[code] = instant
    return options


def when_label(t: Translator, now: datetime, instant: datetime, tz: str) -> str:
    """ "Send now", "Today at 19:00", "Tomorrow at 09:00" or "Thu, Dec 3 at 08:00"."""
    if instant <= now:
        return t("announce.send_now")
    zone = ZoneInfo(tz)
    local, today = instant.astimezone(zone), local_day(tz, now)
    at = local.strftime("%H:%M")
    if local.date() == today:
        return t("announce.today_at", time=at)
    if local.date() == today + DAY:
        return t("announce.tomorrow_at", time=at)
    day = format_date(local.date(), "medium", locale=t.language)
    return t("announce.day_at", date=day, time=at)


def draft(
    session: AsyncSession,
    cohort: Cohort,
    author_id: int | None,
    text: str,
    now: datetime,
    photo: str = "",
) -> Announcement:
    """A new announcement to the class, not sent until it is scheduled (text at most LIMIT)."""
    announcement = Announcement(
        cohort_id=cohort.id or 0,
        author_id=author_id,
        text=text,
        photo_ref=photo[:256] or None,
        status=AnnouncementStatus.draft,
        created_at=now,
    )
    session.add(announcement)
    return announcement


async def call_off(session: AsyncSession, announcement: Announcement) -> int:
    """Cancel the deliveries of a scheduled announcement that have not gone out; how many
    people already had it."""
    ref = ref_of(announcement)
    await store.cancel(session, kind=DeliveryKind.announcement, ref=ref)
    announcement.status = AnnouncementStatus.cancelled
    session.add(announcement)
    numbers = await store.counts(session, kind=DeliveryKind.announcement, ref=ref)
    return numbers.get(DeliveryStatus.sent, 0)


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
