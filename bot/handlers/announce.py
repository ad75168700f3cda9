"""A lecturer's announcement to a class: write it (text, or a photo with a caption), see a
preview, choose when it goes out (now, this evening, tomorrow morning), and call it off before
then. The counts come back when it is done (bot.scheduling.announcements).

Payloads: `ann:<action>:<cohort id>[:<announcement id>[:<when>]]`; every action checks that the
person may manage the class, and a button for an announcement in another state is stale.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.core.messages import Attachment, Button, Kind, Reply
from bot.core.payloads import StaleButton, button_fields, button_number, whole_number
from bot.db.models import (
    Announcement,
    AnnouncementStatus,
    Cohort,
    DeliveryKind,
    DeliveryStatus,
)
from bot.handlers.cohorts import managed_cohort, refuse
from bot.handlers.menu import main_menu
from bot.localtime import DAY, QuietHours, local_day, local_instant
from bot.pipeline.router import Context, HandlerResult, Router
from bot.scheduling import announcements, plans, store

router = Router("announce")
LIMIT = 4000  # Announcement.text's column
EVENING, MORNING = time(19, 0), time(9, 0)
AWAITING = "announce"
# How many fields each action's payload has after `ann:`.
FIELDS = {"new": 2, "stop": 2, "send": 4, "drop": 3, "off": 3}


def send_options(now: datetime, tz: str, quiet: str) -> dict[str, datetime]:
    """When an announcement can go: now, this evening at 19:00 (tomorrow's when that has passed
    or is in quiet hours), tomorrow at 09:00; each moved out of the quiet hours. Same instants
    are offered once."""
    zone = ZoneInfo(tz)
    hours = QuietHours.parse(quiet)
    today = local_day(tz, now)
    evening = local_instant(today, EVENING, zone)
    if evening <= now or hours.contains(EVENING):
        evening = local_instant(today + DAY, EVENING, zone)
    morning = local_instant(today + DAY, MORNING, zone)
    options: dict[str, datetime] = {}
    for code, instant in (("now", now), ("eve", evening), ("morn", morning)):
        instant = hours.end_after(instant, zone)
        if instant not in options.values():
            options[code] = instant
    return options


def when_label(ctx: Context, instant: datetime, tz: str) -> str:
    """ "Send now", "Today at 19:00", "Tomorrow at 09:00" or "Thu, Dec 3 at 08:00"."""
    if instant <= ctx.now:
        return ctx.t("announce.send_now")
    zone = ZoneInfo(tz)
    local, today = instant.astimezone(zone), local_day(tz, ctx.now)
    at = local.strftime("%H:%M")
    if local.date() == today:
        return ctx.t("announce.today_at", time=at)
    if local.date() == today + DAY:
        return ctx.t("announce.tomorrow_at", time=at)
    day = format_date(local.date(), "medium", locale=ctx.person.language)
    return ctx.t("announce.day_at", date=day, time=at)


def preview(ctx: Context, cohort: Cohort, announcement: Announcement, count: int) -> list[Reply]:
    """What the class will see, with the choice of when it goes out."""
    cid, aid = cohort.id, announcement.id
    options = send_options(ctx.now, cohort.timezone, ctx.settings.quiet_hours)
    rows = [
        (Button(when_label(ctx, instant, cohort.timezone), f"ann:send:{cid}:{aid}:{code}"),)
        for code, instant in options.items()
    ]
    rows.append((Button(ctx.t("announce.drop"), f"ann:drop:{cid}:{aid}"),))
    image = (
        Attachment("announcement.jpg", ref=announcement.photo_ref)
        if announcement.photo_ref
        else None
    )
    return [
        Reply(ctx.t("announce.preview", count=count, name=cohort.name)),
        Reply(announcement.text, buttons=tuple(rows), image=image),
    ]


@router.button("ann")
async def announce_action(ctx: Context) -> HandlerResult:
    """Every announcement button: check the class, then the announcement's state, then act."""
    fields = button_fields(ctx.incoming.payload, 2, 3, 4)
    if FIELDS.get(fields[0]) != len(fields):
        raise StaleButton(ctx.incoming.payload)
    action, cohort_id, item_id, choice = [*fields, "", ""][:4]
    cohort = await managed_cohort(ctx, button_number(cohort_id))
    if cohort is None:
        return await refuse(ctx)
    if action == "new":
        if not await plans.member_ids(ctx.session, cohort.id or 0):
            return Reply(ctx.t("announce.no_members", name=cohort.name))
        ctx.person.awaiting = f"{AWAITING}:{cohort.id}"
        ctx.session.add(ctx.person)
        stop = Button(ctx.t("announce.stop"), f"ann:stop:{cohort.id}")
        return Reply(ctx.t("announce.ask", name=cohort.name), buttons=((stop,),))
    if action == "stop":
        ctx.person.awaiting = None
        ctx.session.add(ctx.person)
        return Reply(ctx.t("announce.not_sent"), menu=await main_menu(ctx))
    announcement = await ctx.session.get(Announcement, button_number(item_id))
    result = None
    if announcement is not None and announcement.cohort_id == cohort.id:
        result = await act_on(ctx, cohort, announcement, action, choice)
    if result is None:
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    return result


async def act_on(
    ctx: Context, cohort: Cohort, announcement: Announcement, action: str, choice: str
) -> HandlerResult:
    """Send, drop or call off one announcement; None when its state does not allow that."""
    match action, announcement.status:
        case "send", AnnouncementStatus.draft:
            options = send_options(ctx.now, cohort.timezone, ctx.settings.quiet_hours)
            send_at = options.get(choice)
            if send_at is None:
                return None
            count = await announcements.schedule(ctx.session, announcement, send_at)
            if send_at <= ctx.now:
                return Reply(ctx.t("announce.sending", count=count), menu=await main_menu(ctx))
            day, at = plans.when_text(send_at, cohort.timezone, ctx.person.language)
            off = Button(ctx.t("announce.call_off"), f"ann:off:{cohort.id}:{announcement.id}")
            text = ctx.t("announce.scheduled", count=count, date=day, time=at)
            return Reply(text, buttons=((off,),))
        case "send", AnnouncementStatus.scheduled | AnnouncementStatus.done if (
            announcement.send_at is not None
        ):
            # A second tap on the preview: say what already happened, not "no longer works".
            numbers = await store.counts(
                ctx.session, kind=DeliveryKind.announcement, ref=announcements.ref_of(announcement)
            )
            count = sum(n for status, n in numbers.items() if status != DeliveryStatus.cancelled)
            day, at = plans.when_text(announcement.send_at, cohort.timezone, ctx.person.language)
            key = (
                "announce.already_sent_at"
                if announcement.send_at <= ctx.now
                else "announce.already_scheduled"
            )
            return Reply(ctx.t(key, count=count, date=day, time=at), menu=await main_menu(ctx))
        case "drop", AnnouncementStatus.draft:
            announcement.status = AnnouncementStatus.cancelled
            ctx.session.add(announcement)
            return Reply(ctx.t("announce.not_sent"), menu=await main_menu(ctx))
        case "off", AnnouncementStatus.scheduled:
            ref = announcements.ref_of(announcement)
            await store.cancel(ctx.session, kind=DeliveryKind.announcement, ref=ref)
            announcement.status = AnnouncementStatus.cancelled
            ctx.session.add(announcement)
            sent = (await store.counts(ctx.session, kind=DeliveryKind.announcement, ref=ref)).get(
                DeliveryStatus.sent, 0
            )
            key = "announce.called_off_late" if sent else "announce.called_off"
            return Reply(ctx.t(key, sent=sent), menu=await main_menu(ctx))
        case "off", AnnouncementStatus.done:
            return Reply(ctx.t("announce.already_sent"), menu=await main_menu(ctx))
    return None


@router.answer_to(AWAITING)
async def receive(ctx: Context) -> HandlerResult:
    """The text (or photo with caption) the lecturer sent for the class: a draft and a preview."""
    _, _, cohort_id = (ctx.person.awaiting or "").partition(":")
    cohort = await managed_cohort(ctx, whole_number(cohort_id))
    if cohort is None:
        ctx.person.awaiting = None
        ctx.session.add(ctx.person)
        return await refuse(ctx)
    text = ctx.incoming.text.strip()
    photo = ctx.incoming.file_ref if ctx.incoming.kind is Kind.photo else ""
    stop = ((Button(ctx.t("announce.stop"), f"ann:stop:{cohort.id}"),),)
    if len(text) > LIMIT:
        return Reply(ctx.t("announce.too_long", limit=LIMIT), buttons=stop)
    if not text and not photo:
        return Reply(ctx.t("announce.ask", name=cohort.name), buttons=stop)
    ctx.person.awaiting = None
    ctx.session.add(ctx.person)
    announcement = Announcement(
        cohort_id=cohort.id or 0,
        author_id=ctx.person.id,
        text=text,
        photo_ref=photo[:256] or None,
        status=AnnouncementStatus.draft,
        created_at=ctx.now,
    )
    ctx.session.add(announcement)
    await ctx.session.flush()
    return preview(
        ctx, cohort, announcement, len(await plans.member_ids(ctx.session, cohort.id or 0))
    )
