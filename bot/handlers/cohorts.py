"""Lecturers' classes: create one, share its link or QR code, see members and who is stuck."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cohorts.service import (
    STUCK_AFTER,
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
from bot.core.payloads import (
    CohortAction,
    CohortCourse,
    CohortStatsTap,
    CohortTap,
    CohortZone,
    NewAnnouncement,
    StaleButton,
    ViewPlan,
)
from bot.db.models import Cohort, Person, Role
from bot.db.roles import at_least
from bot.handlers.menu import main_menu
from bot.pipeline.router import AccessDenied, Context, HandlerResult, Router, join_command
from bot.zones import OFFERED, zone_name

router = Router("cohorts")


async def may_manage(ctx: Context, cohort_id: int | None) -> Cohort | None:
    """The class numbered `cohort_id` when this person is a lecturer who may manage it; None
    otherwise, and for a number that is no class. The one rule every class button goes by."""
    if cohort_id is None or not at_least(ctx.person, Role.lecturer):
        return None
    return await cohort_for(ctx.session, ctx.person, cohort_id)


async def managed_cohort(ctx: Context, cohort_id: int) -> Cohort:
    """The class, as `may_manage`; AccessDenied (the pipeline's refusal) when it is not theirs,
    StaleButton when there is no such class (any more)."""
    cohort = await may_manage(ctx, cohort_id)
    if cohort is None:
        if await ctx.session.get(Cohort, cohort_id) is None:
            raise StaleButton(cohort_id)
        raise AccessDenied(cohort_id)
    return cohort


@dataclass(frozen=True)
class ClassLink:
    """A class's invite: what its QR code encodes, and the words that show it."""

    target: str
    shown: str


async def class_link(ctx: Context, cohort: Cohort) -> ClassLink:
    """The class's invite as a link on its lecturer's channel (the one they last wrote from):
    their posters and QR codes reach the people they teach there. A class without a lecturer:
    the reader's channel. When that channel could not make its link just now (WeChat's QR code
    API), `/join CODE` and a line saying so."""
    channel = ctx.channel
    if cohort.lecturer_id is not None and cohort.lecturer_id != ctx.person.id:
        lecturer = await ctx.session.get(Person, cohort.lecturer_id)
        if lecturer is not None:
            channel = lecturer.channel
    code = cohort.invite_code
    link = await ctx.services.class_link(ctx.session, channel, code)
    if link is None:
        typed = join_command(code)
        return ClassLink(typed, f"{typed}\n{ctx.t('cohort.link_unavailable')}")
    return ClassLink(link, link)


def cohort_buttons(ctx: Context, cohort: Cohort) -> tuple[tuple[Button, ...], ...]:
    cid = cohort.id or 0

    def action(key: str, what: CohortAction) -> Button:
        return Button(ctx.t(key), CohortTap(what, cid).pack())

    toggle = (
        action("cohort.close", CohortAction.close)
        if cohort.invite_open
        else action("cohort.open", CohortAction.open)
    )
    rows = [
        (action("cohort.members", CohortAction.members),),
        (action("cohort.stuck", CohortAction.stuck),),
        (action("cohort.qr", CohortAction.qr), action("cohort.rotate", CohortAction.rotate)),
        (toggle, action("cohort.timezone", CohortAction.tz)),
    ]
    rows.append(
        (
            Button(ctx.t("cohort.announce"), NewAnnouncement(cid).pack()),
            Button(ctx.t("cohort.plan"), ViewPlan(cid).pack()),
        )
    )
    if len(ctx.services.courses) > 1:
        rows.append((action("cohort.course", CohortAction.course),))
    if at_least(ctx.person, Role.coordinator):
        rows.append((Button(ctx.t("cohort.stats"), CohortStatsTap(cid).pack()),))
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
        link=(await class_link(ctx, cohort)).shown,
        code=cohort.invite_code,
        state=ctx.t("cohort.state_open" if cohort.invite_open else "cohort.state_closed"),
    )
    return Reply(text, buttons=cohort_buttons(ctx, cohort))


@router.command("newcohort", role=Role.lecturer)
async def new_cohort(ctx: Context) -> HandlerResult:
    name = " ".join(ctx.incoming.text.split())
    if not name:
        return Reply(ctx.t("cohort.usage_new"), menu=await main_menu(ctx))
    course = ctx.services.course_for(ctx.person)
    zone = first_class_zone(ctx.person, ctx.incoming.sender.language_hint)
    cohort = await create_cohort(ctx.session, ctx.person, name, course.id, ctx.now, zone)
    link = await class_link(ctx, cohort)
    code = cohort.invite_code
    return [
        Reply(ctx.t("cohort.created", name=cohort.name)),
        Reply(
            ctx.t("cohort.qr_caption", name=cohort.name, code=code, link=link.shown),
            image=Attachment(f"invite-{code}.png", data=qr_png(link.target)),
        ),
        await cohort_card(ctx, cohort),
    ]


@router.command("cohorts", role=Role.lecturer)
@router.menu("menu.cohorts", role=Role.lecturer)
async def my_cohorts(ctx: Context) -> HandlerResult:
    cohorts = await cohorts_visible_to(ctx.session, ctx.person)
    if not cohorts:
        return Reply(ctx.t("cohort.none"), menu=await main_menu(ctx))
    buttons = tuple(
        (Button(f"👥 {c.name}", CohortTap(CohortAction.view, c.id or 0).pack()),)
        for c in cohorts[:50]
    )
    return Reply(ctx.t("cohort.pick"), buttons=buttons)


@router.button(CohortTap, role=Role.lecturer)
async def cohort_action(ctx: Context, tap: CohortTap) -> HandlerResult:
    cohort = await managed_cohort(ctx, tap.cohort)
    match tap.action:
        case CohortAction.view:
            return await cohort_card(ctx, cohort)
        case CohortAction.members:
            return await members_reply(ctx, cohort)
        case CohortAction.stuck:
            return await stuck_reply(ctx, cohort)
        case CohortAction.qr:
            link = await class_link(ctx, cohort)
            caption = ctx.t(
                "cohort.qr_caption", name=cohort.name, code=cohort.invite_code, link=link.shown
            )
            image = Attachment(f"invite-{cohort.invite_code}.png", data=qr_png(link.target))
            return Reply(caption, image=image)
        case CohortAction.rotate:
            code = await rotate_code(ctx.session, cohort)
            link = await class_link(ctx, cohort)
            return Reply(ctx.t("cohort.rotated", name=cohort.name, code=code, link=link.shown))
        case CohortAction.close | CohortAction.open:
            cohort.invite_open = tap.action is CohortAction.open
            ctx.session.add(cohort)
            key = "cohort.opened" if cohort.invite_open else "cohort.closed"
            return [Reply(ctx.t(key, name=cohort.name)), await cohort_card(ctx, cohort)]
        case CohortAction.tz:
            cid = cohort.id or 0
            buttons = tuple(
                (Button(zone_label(ctx, zone, cohort.timezone), CohortZone(cid, zone).pack()),)
                for zone in OFFERED
            )
            return Reply(ctx.t("cohort.pick_timezone", name=cohort.name), buttons=buttons)
        case CohortAction.course:
            return course_picker(ctx, cohort, 0)


# A course id is a slug, so `+N` cannot be one: the picker's "more" button, from course N.
MORE = "+"


def course_picker(ctx: Context, cohort: Cohort, start: int) -> Reply:
    """The courses as at most three buttons: two and "more" while more than three are left."""
    language = ctx.person.language
    courses = sorted(ctx.services.courses.items())[start:]
    shown = courses if len(courses) <= 3 else courses[:2]
    buttons = [
        (
            Button(
                course_label(course.text_in(course.title, language), cid, cohort),
                CohortCourse(cohort.id or 0, cid).pack(),
            ),
        )
        for cid, course in shown
    ]
    if len(shown) < len(courses):
        more = CohortCourse(cohort.id or 0, f"{MORE}{start + len(shown)}").pack()
        buttons.append((Button(ctx.t("cohort.more_courses"), more),))
    return Reply(ctx.t("cohort.pick_course", name=cohort.name), buttons=tuple(buttons))


@router.button(CohortCourse, role=Role.lecturer)
async def cohort_course(ctx: Context, tap: CohortCourse) -> HandlerResult:
    cohort = await managed_cohort(ctx, tap.cohort)
    page = tap.course.removeprefix(MORE)
    if tap.course.startswith(MORE) and page.isdigit() and int(page) < len(ctx.services.courses):
        return course_picker(ctx, cohort, int(page))
    if tap.course not in ctx.services.courses:
        raise StaleButton(tap.course)
    await change_course(ctx.session, cohort, tap.course)
    return await cohort_card(ctx, cohort)


@router.button(CohortZone, role=Role.lecturer)
async def cohort_zone(ctx: Context, tap: CohortZone) -> HandlerResult:
    cohort = await managed_cohort(ctx, tap.cohort)
    if tap.zone not in OFFERED:
        raise StaleButton(tap.zone)
    quiet = ctx.settings.quiet
    moved = await change_zone(
        ctx.session, cohort, tap.zone, ctx.now, quiet, ctx.settings.reminder_time
    )
    name = zone_name(tap.zone, ctx.person.language)
    return Reply(ctx.t("cohort.timezone_set", name=cohort.name, timezone=name, moved=moved))


def course_label(title: str, course_id: str, cohort: Cohort) -> str:
    """A course's title as a button, ticked when the class follows it."""
    return f"✓ {title}" if course_id == cohort.course_id else title


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
