"""A lecturer's announcement to a class: write it (text, or a photo with a caption), see a
preview, choose when it goes out (now, this evening, tomorrow morning), and call it off before
then. The counts come back when it is done (bot.scheduling.announcements); for the people on
WhatsApp, how many have it on their phone and have read it, which a button under the report (and
a second tap on the preview) show again as the receipts come in.

Payloads: bot.core.payloads (`ann:<action>:<cohort id>[:<announcement id>[:<when>]]`); every
action checks that the person may manage the class, and a button for an announcement in another
state is stale.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.messages import Attachment, Button, Kind, Reply
from bot.core.payloads import (
    AnnouncementCounts,
    CallOffAnnouncement,
    DropAnnouncement,
    NewAnnouncement,
    SendAnnouncement,
    StaleButton,
    StopAnnouncement,
    whole_number,
)
from bot.db.models import (
    Announcement,
    AnnouncementStatus,
    Cohort,
    DeliveryKind,
    DeliveryStatus,
    Role,
)
from bot.handlers.cohorts import managed_cohort, may_manage
from bot.handlers.fallback import refuse
from bot.handlers.menu import main_menu
from bot.pipeline.router import Context, HandlerResult, Router
from bot.scheduling import announcements, plans, store
from bot.scheduling.announcements import send_options

router = Router("announce")
LIMIT = announcements.LIMIT
AWAITING = "announce"


def when_label(ctx: Context, instant: datetime, tz: str) -> str:
    """ "Send now", "Today at 19:00", "Tomorrow at 09:00" or "Thu, Dec 3 at 08:00"."""
    return announcements.when_label(ctx.t, ctx.now, instant, tz)


def preview(ctx: Context, cohort: Cohort, announcement: Announcement, count: int) -> list[Reply]:
    """What the class will see, with the choice of when it goes out."""
    cid, aid = cohort.id or 0, announcement.id or 0
    options = send_options(ctx.now, cohort.timezone, ctx.settings.quiet)
    rows = [
        (
            Button(
                when_label(ctx, instant, cohort.timezone), SendAnnouncement(cid, aid, code).pack()
            ),
        )
        for code, instant in options.items()
    ]
    rows.append((Button(ctx.t("announce.drop"), DropAnnouncement(cid, aid).pack()),))
    image = (
        Attachment("announcement.jpg", ref=announcement.photo_ref)
        if announcement.photo_ref
        else None
    )
    return [
        Reply(ctx.t("announce.preview", count=count, name=cohort.name)),
        Reply(announcement.text, buttons=tuple(rows), image=image),
    ]


@router.button(NewAnnouncement, role=Role.lecturer)
async def new_announcement(ctx: Context, tap: NewAnnouncement) -> HandlerResult:
    """Ask for the text (or photo) of an announcement to the class."""
    cohort = await managed_cohort(ctx, tap.cohort)
    if not await plans.member_ids(ctx.session, cohort.id or 0):
        return Reply(ctx.t("announce.no_members", name=cohort.name))
    ctx.person.awaiting = f"{AWAITING}:{cohort.id}"
    ctx.session.add(ctx.person)
    stop = Button(ctx.t("announce.stop"), StopAnnouncement(cohort.id or 0).pack())
    return Reply(ctx.t("announce.ask", name=cohort.name), buttons=((stop,),))


@router.button(StopAnnouncement, role=Role.lecturer)
async def stop_announcement(ctx: Context, tap: StopAnnouncement) -> HandlerResult:
    await managed_cohort(ctx, tap.cohort)
    ctx.person.awaiting = None
    ctx.session.add(ctx.person)
    return Reply(ctx.t("announce.not_sent"), menu=await main_menu(ctx))


async def tapped_announcement(
    ctx: Context, cohort_id: int, announcement_id: int
) -> tuple[Cohort, Announcement]:
    """The class (AccessDenied when not theirs) and its announcement (StaleButton when it is
    not one of the class's)."""
    cohort = await managed_cohort(ctx, cohort_id)
    announcement = await ctx.session.get(Announcement, announcement_id)
    if announcement is None or announcement.cohort_id != cohort.id:
        raise StaleButton(announcement_id)
    return cohort, announcement


@router.button(SendAnnouncement, role=Role.lecturer)
async def send_announcement(ctx: Context, tap: SendAnnouncement) -> HandlerResult:
    """Send a draft now or schedule it; a second tap says what already happened."""
    cohort, announcement = await tapped_announcement(ctx, tap.cohort, tap.announcement)
    if announcement.status == AnnouncementStatus.draft:
        options = send_options(ctx.now, cohort.timezone, ctx.settings.quiet)
        send_at = options.get(tap.when)
        if send_at is None:
            raise StaleButton(tap.when)
        count = await announcements.schedule(ctx.session, announcement, send_at)
        if send_at <= ctx.now:
            return Reply(ctx.t("announce.sending", count=count), menu=await main_menu(ctx))
        day, at = plans.when_text(send_at, cohort.timezone, ctx.person.language)
        call_off = CallOffAnnouncement(cohort.id or 0, announcement.id or 0)
        off = Button(ctx.t("announce.call_off"), call_off.pack())
        text = ctx.t("announce.scheduled", count=count, date=day, time=at)
        return Reply(text, buttons=((off,),))
    if (
        announcement.status not in (AnnouncementStatus.scheduled, AnnouncementStatus.done)
        or announcement.send_at is None
    ):
        raise StaleButton(tap.announcement)
    # A second tap on the preview: say what already happened, not "no longer works".
    numbers = await store.counts(
        ctx.session, kind=DeliveryKind.announcement, ref=announcements.ref_of(announcement)
    )
    count = sum(n for status, n in numbers.items() if status != DeliveryStatus.cancelled)
    day, at = plans.when_text(announcement.send_at, cohort.timezone, ctx.person.language)
    if announcement.send_at > ctx.now:
        text = ctx.t("announce.already_scheduled", count=count, date=day, time=at)
        return Reply(text, menu=await main_menu(ctx))
    text = ctx.t("announce.already_sent_at", count=count, date=day, time=at)
    line = await announcements.receipts_line(ctx.session, ctx.t, announcement)
    return Reply(f"{text}\n{line}" if line else text, menu=await main_menu(ctx))


@router.button(AnnouncementCounts, role=Role.lecturer)
async def counts_now(ctx: Context, tap: AnnouncementCounts) -> HandlerResult:
    """The report again, in place, with the receipts that came in since it was sent."""
    _, announcement = await tapped_announcement(ctx, tap.cohort, tap.announcement)
    if announcement.status != AnnouncementStatus.done:
        raise StaleButton(tap.announcement)
    return replace(await announcements.report(ctx.session, ctx.t, announcement), edit=True)


@router.button(DropAnnouncement, role=Role.lecturer)
async def drop_announcement(ctx: Context, tap: DropAnnouncement) -> HandlerResult:
    _, announcement = await tapped_announcement(ctx, tap.cohort, tap.announcement)
    if announcement.status != AnnouncementStatus.draft:
        raise StaleButton(tap.announcement)
    announcement.status = AnnouncementStatus.cancelled
    ctx.session.add(announcement)
    return Reply(ctx.t("announce.not_sent"), menu=await main_menu(ctx))


@router.button(CallOffAnnouncement, role=Role.lecturer)
async def call_off(ctx: Context, tap: CallOffAnnouncement) -> HandlerResult:
    """Cancel what has not gone out yet; say how many already had it."""
    _, announcement = await tapped_announcement(ctx, tap.cohort, tap.announcement)
    if announcement.status == AnnouncementStatus.done:
        return Reply(ctx.t("announce.already_sent"), menu=await main_menu(ctx))
    if announcement.status != AnnouncementStatus.scheduled:
        raise StaleButton(tap.announcement)
    sent = await announcements.call_off(ctx.session, announcement)
    key = "announce.called_off_late" if sent else "announce.called_off"
    return Reply(ctx.t(key, sent=sent), menu=await main_menu(ctx))


@router.answer_to(AWAITING)
async def receive(ctx: Context) -> HandlerResult:
    """The text (or photo with caption) the lecturer sent for the class: a draft and a preview."""
    _, _, cohort_id = (ctx.person.awaiting or "").partition(":")
    cohort = await may_manage(ctx, whole_number(cohort_id))
    if cohort is None:
        ctx.person.awaiting = None
        ctx.session.add(ctx.person)
        return await refuse(ctx)
    text = ctx.incoming.text.strip()
    photo = ctx.incoming.file_ref if ctx.incoming.kind is Kind.photo else ""
    stop = ((Button(ctx.t("announce.stop"), StopAnnouncement(cohort.id or 0).pack()),),)
    if len(text) > LIMIT:
        return Reply(ctx.t("announce.too_long", limit=LIMIT), buttons=stop)
    if not text and not photo:
        return Reply(ctx.t("announce.ask", name=cohort.name), buttons=stop)
    ctx.person.awaiting = None
    ctx.session.add(ctx.person)
    announcement = announcements.draft(ctx.session, cohort, ctx.person.id, text, ctx.now, photo)
    await ctx.session.flush()
    return preview(
        ctx, cohort, announcement, len(await plans.member_ids(ctx.session, cohort.id or 0))
    )
