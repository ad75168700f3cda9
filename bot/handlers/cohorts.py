"""Lecturers' classes: create one, share its link or QR code, see members and who is stuck."""

from __future__ import annotations

from bot.cohorts.service import (
    STUCK_AFTER,
    at_least,
    change_course,
    change_zone,
    cohort_for,
    cohorts_visible_to,
    create_cohort,
    first_class_zone,
    members,
    qr_png,
    rotate_code,
)
from bot.core.messages import Attachment, Button, Reply
from bot.core.payloads import StaleButton, button_fields, button_number
from bot.db.models import Cohort, Role
from bot.handlers.menu import main_menu
from bot.localtime import QuietHours
from bot.pipeline.router import Context, HandlerResult, Router
from bot.zones import OFFERED, zone_name

router = Router("cohorts")


async def refuse(ctx: Context) -> Reply:
    return Reply(ctx.t("access.denied"), menu=await main_menu(ctx))


async def managed_cohort(ctx: Context, cohort_id: int | None) -> Cohort | None:
    """The class numbered `cohort_id` when this person is a lecturer who may manage it; None
    otherwise, and for a number that is no class."""
    if cohort_id is None or not at_least(ctx.person, Role.lecturer):
        return None
    return await cohort_for(ctx.session, ctx.person, cohort_id)


def cohort_buttons(ctx: Context, cohort: Cohort) -> tuple[tuple[Button, ...], ...]:
    cid = cohort.id
    toggle = (
        Button(ctx.t("cohort.close"), f"coh:close:{cid}")
        if cohort.invite_open
        else Button(ctx.t("cohort.open"), f"coh:open:{cid}")
    )
    rows = [
        (Button(ctx.t("cohort.members"), f"coh:members:{cid}"),),
        (Button(ctx.t("cohort.stuck"), f"coh:stuck:{cid}"),),
        (
            Button(ctx.t("cohort.qr"), f"coh:qr:{cid}"),
            Button(ctx.t("cohort.rotate"), f"coh:rotate:{cid}"),
        ),
        (toggle, Button(ctx.t("cohort.timezone"), f"coh:tz:{cid}")),
    ]
    rows.append(
        (
            Button(ctx.t("cohort.announce"), f"ann:new:{cid}"),
            Button(ctx.t("cohort.plan"), f"plan:view:{cid}"),
        )
    )
    if len(ctx.services.courses) > 1:
        rows.append((Button(ctx.t("cohort.course"), f"coh:course:{cid}"),))
    if at_least(ctx.person, Role.coordinator):
        rows.append((Button(ctx.t("cohort.stats"), f"stats:cohort:{cid}"),))
    return tuple(rows)


async def cohort_card(ctx: Context, cohort: Cohort) -> Reply:
    course = ctx.services.courses.get(cohort.course_id)
    people = await members(ctx.session, cohort, course.lessons if course else (), ctx.now)
    text = ctx.t(
        "cohort.card",
        name=cohort.name,
        course=course.text_in(course.title, ctx.person.language) if course else cohort.course_id,
        timezone=zone_name(cohort.timezone, ctx.person.language),
        members=len(people),
        stuck=sum(1 for m in people if m.stuck),
        link=ctx.services.link_for(cohort.invite_code),
        code=cohort.invite_code,
        state=ctx.t("cohort.state_open" if cohort.invite_open else "cohort.state_closed"),
    )
    return Reply(text, buttons=cohort_buttons(ctx, cohort))


@router.command("newcohort")
async def new_cohort(ctx: Context) -> HandlerResult:
    if not at_least(ctx.person, Role.lecturer):
        return await refuse(ctx)
    name = " ".join(ctx.incoming.text.split())
    if not name:
        return Reply(ctx.t("cohort.usage_new"), menu=await main_menu(ctx))
    course = ctx.services.course_for(ctx.person)
    zone = first_class_zone(ctx.person, ctx.incoming.sender.language_hint)
    cohort = await create_cohort(ctx.session, ctx.person, name, course.id, ctx.now, zone)
    link = ctx.services.link_for(cohort.invite_code)
    return [
        Reply(ctx.t("cohort.created", name=cohort.name)),
        Reply(
            ctx.t("cohort.qr_caption", name=cohort.name, code=cohort.invite_code, link=link),
            image=Attachment(f"invite-{cohort.invite_code}.png", data=qr_png(link)),
        ),
        await cohort_card(ctx, cohort),
    ]


@router.command("cohorts")
@router.menu("menu.cohorts")
async def my_cohorts(ctx: Context) -> HandlerResult:
    if not at_least(ctx.person, Role.lecturer):
        return await refuse(ctx)
    cohorts = await cohorts_visible_to(ctx.session, ctx.person)
    if not cohorts:
        return Reply(ctx.t("cohort.none"), menu=await main_menu(ctx))
    buttons = tuple((Button(f"👥 {c.name}", f"coh:view:{c.id}"),) for c in cohorts[:50])
    return Reply(ctx.t("cohort.pick"), buttons=buttons)


@router.button("coh")
async def cohort_action(ctx: Context) -> HandlerResult:
    action, cohort_id, *rest = button_fields(ctx.incoming.payload, 2, 3)
    argument = rest[0] if rest else ""
    if rest and action not in ("tz", "course"):
        raise StaleButton(ctx.incoming.payload)
    cohort = await managed_cohort(ctx, button_number(cohort_id))
    if cohort is None:
        return await refuse(ctx)
    match action:
        case "view":
            return await cohort_card(ctx, cohort)
        case "members":
            return await members_reply(ctx, cohort)
        case "stuck":
            return await stuck_reply(ctx, cohort)
        case "qr":
            link = ctx.services.link_for(cohort.invite_code)
            caption = ctx.t(
                "cohort.qr_caption", name=cohort.name, code=cohort.invite_code, link=link
            )
            image = Attachment(f"invite-{cohort.invite_code}.png", data=qr_png(link))
            return Reply(caption, image=image)
        case "rotate":
            code = await rotate_code(ctx.session, cohort)
            link = ctx.services.link_for(code)
            return Reply(ctx.t("cohort.rotated", name=cohort.name, code=code, link=link))
        case "close" | "open":
            cohort.invite_open = action == "open"
            ctx.session.add(cohort)
            key = "cohort.opened" if cohort.invite_open else "cohort.closed"
            return [Reply(ctx.t(key, name=cohort.name)), await cohort_card(ctx, cohort)]
        case "tz" if not argument:
            buttons = tuple(
                (Button(zone_label(ctx, zone, cohort.timezone), f"coh:tz:{cohort.id}:{zone}"),)
                for zone in OFFERED
            )
            return Reply(ctx.t("cohort.pick_timezone", name=cohort.name), buttons=buttons)
        case "course" if not argument:
            language = ctx.person.language
            buttons = tuple(
                (Button(course.text_in(course.title, language), f"coh:course:{cohort.id}:{cid}"),)
                for cid, course in sorted(ctx.services.courses.items())
            )
            return Reply(ctx.t("cohort.pick_course", name=cohort.name), buttons=buttons)
        case "course" if argument in ctx.services.courses:
            await change_course(ctx.session, cohort, argument)
            return await cohort_card(ctx, cohort)
        case "tz" if argument in OFFERED:
            quiet = QuietHours.parse(ctx.settings.quiet_hours)
            moved = await change_zone(
                ctx.session, cohort, argument, ctx.now, quiet, ctx.settings.reminder_time
            )
            name = zone_name(argument, ctx.person.language)
            return Reply(ctx.t("cohort.timezone_set", name=cohort.name, timezone=name, moved=moved))
    return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))


def zone_label(ctx: Context, zone: str, current: str) -> str:
    """A zone's name as a button in the reader's language, ticked when it is `current`."""
    name = zone_name(zone, ctx.person.language)
    return f"✓ {name}" if zone == current else name


async def members_reply(ctx: Context, cohort: Cohort) -> Reply:
    course = ctx.services.courses.get(cohort.course_id)
    total = len(course.lessons) if course else 0
    people = await members(ctx.session, cohort, course.lessons if course else (), ctx.now)
    lines = [ctx.t("cohort.members_title", name=cohort.name, count=len(people))]
    for member in people[:200]:
        last = (
            member.last_active.date().isoformat() if member.last_active else ctx.t("cohort.never")
        )
        name = member.person.display_name or "—"
        lines.append(
            ctx.t("cohort.member_line", name=name, passed=member.passed, total=total, last=last)
        )
    return Reply("\n".join(lines))


async def stuck_reply(ctx: Context, cohort: Cohort) -> Reply:
    course = ctx.services.courses.get(cohort.course_id)
    people = await members(ctx.session, cohort, course.lessons if course else (), ctx.now)
    stuck = [m for m in people if m.stuck]
    if not stuck:
        return Reply(ctx.t("cohort.stuck_none", name=cohort.name))
    lines = [ctx.t("cohort.stuck_title", name=cohort.name)]
    for member in stuck[:200]:
        reasons = []
        if member.failed_not_retried:
            reasons.append(ctx.t("cohort.stuck_failed"))
        if member.idle:
            reasons.append(ctx.t("cohort.stuck_idle", days=STUCK_AFTER.days))
        lines.append(f"• {member.person.display_name or '—'}: {', '.join(reasons)}")
    return Reply("\n".join(lines))
