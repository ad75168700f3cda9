"""A class's lesson plan in the chat: see it, pause, resume or cancel it, or make one with
buttons (start day, weekdays, time, then Save).

Payloads: bot.core.payloads (`plan:<action>:<cohort id>[:<plan id>[:<choice>]]`). Every action
checks that the person may manage the class; a button of another plan or an old state is stale.
"""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date, get_day_names

from bot.core.messages import Button, Reply
from bot.core.payloads import (
    CohortAction,
    CohortTap,
    NewPlan,
    PlanAction,
    PlanStart,
    PlanStartDay,
    PlanTap,
    PlanTime,
    PlanWeekday,
    StaleButton,
    ViewPlan,
)
from bot.db.models import Cohort, LessonPlan, PlanStatus, Role
from bot.handlers.cohorts import managed_cohort
from bot.handlers.menu import main_menu
from bot.localtime import local_day
from bot.pipeline.router import Context, HandlerResult, Router
from bot.scheduling import plans
from bot.zones import zone_name

router = Router("plans")
TIMES = ("08:00", "12:00", "17:00", "18:00", "19:00", "20:00")
# The start days offered, with the catalog key of each button.
STARTS = {
    PlanStart.today: "plan.start_today",
    PlanStart.tomorrow: "plan.start_tomorrow",
    PlanStart.monday: "plan.start_monday",
}
Rows = tuple[tuple[Button, ...], ...]


def _tick(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


def start_choices(today: date) -> dict[PlanStart, date]:
    """The start days offered: today, tomorrow, and next Monday (a week on, if today is one)."""
    return {
        PlanStart.today: today,
        PlanStart.tomorrow: today + timedelta(days=1),
        PlanStart.monday: today + timedelta(days=7 - today.weekday()),
    }


def _today(ctx: Context, cohort: Cohort) -> date:
    return local_day(cohort, ctx.now)


def _days_text(ctx: Context, plan: LessonPlan) -> str:
    names = get_day_names("wide", locale=ctx.person.language)
    return ", ".join(str(names[day]) for day in plans.weekday_list(plan.weekdays)) or "—"


def _total(ctx: Context, cohort: Cohort) -> int:
    course = ctx.services.courses.get(cohort.course_id)
    return len(course.lessons) if course else 0


def editor(ctx: Context, cohort: Cohort, plan: LessonPlan, *, edit: bool = False) -> Reply:
    """The draft with its choices as buttons; the chosen ones ticked."""
    cid, pid = cohort.id or 0, plan.id or 0
    text = ctx.t(
        "plan.editor",
        name=cohort.name,
        start=format_date(plan.start_date, "full", locale=ctx.person.language),
        days=_days_text(ctx, plan),
        time=plan.time,
    )
    starts = start_choices(_today(ctx, cohort))
    short = get_day_names("abbreviated", locale=ctx.person.language)
    chosen = plans.weekday_list(plan.weekdays)
    day_buttons = [
        Button(_tick(str(short[day]), day in chosen), PlanWeekday(cid, pid, day).pack())
        for day in range(7)
    ]
    time_buttons = [
        Button(_tick(at, at == plan.time), PlanTime(cid, pid, at.replace(":", "")).pack())
        for at in TIMES
    ]
    rows: Rows = (
        tuple(
            Button(
                _tick(ctx.t(STARTS[key]), plan.start_date == day),
                PlanStartDay(cid, pid, key).pack(),
            )
            for key, day in starts.items()
        ),
        tuple(day_buttons[:4]),
        tuple(day_buttons[4:]),
        tuple(time_buttons[:3]),
        tuple(time_buttons[3:]),
        (Button(ctx.t("plan.save"), PlanTap(PlanAction.save, cid, pid).pack()),),
    )
    return Reply(text, buttons=rows, edit=edit)


def view(ctx: Context, cohort: Cohort, plan: LessonPlan | None) -> Reply:
    """The class's plan and what can be done with it, or an offer to make one."""
    cid = cohort.id or 0
    back = (Button(ctx.t("plan.back"), CohortTap(CohortAction.view, cid).pack()),)
    if plan is None or plan.status in (PlanStatus.draft, PlanStatus.done):
        key = (
            "plan.finished" if plan is not None and plan.status == PlanStatus.done else "plan.none"
        )
        make = (Button(ctx.t("plan.make"), NewPlan(cid).pack()),)
        return Reply(ctx.t(key, name=cohort.name), buttons=(make, back))
    language, pid = ctx.person.language, plan.id or 0
    if plan.status == PlanStatus.active:
        date_text, time_text = plans.when_text(
            plans.occurrence(plan, cohort.timezone, plan.next_step), cohort.timezone, language
        )
        upcoming = ctx.t("plan.next", number=plan.next_step + 1, date=date_text, time=time_text)
        toggle = Button(ctx.t("plan.pause"), PlanTap(PlanAction.pause, cid, pid).pack())
    else:
        upcoming = ctx.t("plan.next_paused")
        toggle = Button(ctx.t("plan.resume"), PlanTap(PlanAction.resume, cid, pid).pack())
    text = ctx.t(
        "plan.view",
        name=cohort.name,
        status=ctx.t(
            "plan.status_active" if plan.status == PlanStatus.active else "plan.status_paused"
        ),
        start=format_date(plan.start_date, "full", locale=language),
        days=_days_text(ctx, plan),
        time=plan.time,
        timezone=zone_name(cohort.timezone, language),
        unlocked=min(plan.next_step, _total(ctx, cohort)),
        total=_total(ctx, cohort),
        next=upcoming,
    )
    cancel = (Button(ctx.t("plan.cancel"), PlanTap(PlanAction.cancel, cid, pid).pack()),)
    return Reply(text, buttons=((toggle,), cancel, back))


def _opening(ctx: Context, cohort: Cohort, plan: LessonPlan) -> tuple[str, str]:
    instant = plans.occurrence(plan, cohort.timezone, plan.next_step)
    return plans.when_text(instant, cohort.timezone, ctx.person.language)


@router.button(ViewPlan, role=Role.lecturer)
async def view_plan(ctx: Context, tap: ViewPlan) -> HandlerResult:
    cohort = await managed_cohort(ctx, tap.cohort)
    return view(ctx, cohort, await plans.current_plan(ctx.session, cohort.id or 0))


@router.button(NewPlan, role=Role.lecturer)
async def new_plan(ctx: Context, tap: NewPlan) -> HandlerResult:
    cohort = await managed_cohort(ctx, tap.cohort)
    current = await plans.current_plan(ctx.session, cohort.id or 0)
    if current is not None and current.status in (PlanStatus.active, PlanStatus.paused):
        return view(ctx, cohort, current)
    assert ctx.person.id is not None
    draft = await plans.new_draft(ctx.session, cohort, ctx.person.id, _today(ctx, cohort))
    return editor(ctx, cohort, draft)


async def tapped_plan(
    ctx: Context, cohort_id: int, plan_id: int, *, draft: bool
) -> tuple[Cohort, LessonPlan]:
    """The class (AccessDenied when not theirs) and its current plan when the button is of it
    and it is (`draft`) or is not a draft; StaleButton otherwise."""
    cohort = await managed_cohort(ctx, cohort_id)
    plan = await plans.current_plan(ctx.session, cohort.id or 0)
    if plan is None or plan.id != plan_id or (plan.status == PlanStatus.draft) != draft:
        raise StaleButton(plan_id)
    return cohort, plan


@router.button(PlanStartDay, role=Role.lecturer)
async def choose_start(ctx: Context, tap: PlanStartDay) -> HandlerResult:
    cohort, plan = await tapped_plan(ctx, tap.cohort, tap.plan, draft=True)
    plan.start_date = start_choices(_today(ctx, cohort))[tap.start]
    return edited(ctx, cohort, plan)


@router.button(PlanWeekday, role=Role.lecturer)
async def toggle_weekday(ctx: Context, tap: PlanWeekday) -> HandlerResult:
    cohort, plan = await tapped_plan(ctx, tap.cohort, tap.plan, draft=True)
    if tap.day > 6:
        raise StaleButton(tap.day)
    plan.weekdays = plans.weekday_text(set(plans.weekday_list(plan.weekdays)) ^ {tap.day})
    return edited(ctx, cohort, plan)


@router.button(PlanTime, role=Role.lecturer)
async def choose_time(ctx: Context, tap: PlanTime) -> HandlerResult:
    cohort, plan = await tapped_plan(ctx, tap.cohort, tap.plan, draft=True)
    at = f"{tap.time[:2]}:{tap.time[2:]}"
    if at not in TIMES:
        raise StaleButton(tap.time)
    plan.time = at
    return edited(ctx, cohort, plan)


def edited(ctx: Context, cohort: Cohort, plan: LessonPlan) -> Reply:
    ctx.session.add(plan)
    return editor(ctx, cohort, plan, edit=True)


@router.button(PlanTap, role=Role.lecturer)
async def plan_action(ctx: Context, tap: PlanTap) -> HandlerResult:
    """Save a draft; pause, resume or cancel a running plan."""
    draft = tap.action is PlanAction.save
    cohort, plan = await tapped_plan(ctx, tap.cohort, tap.plan, draft=draft)
    if draft:
        return await save(ctx, cohort, plan)
    result = await change_plan(ctx, cohort, plan, tap.action)
    if result is None:
        raise StaleButton(tap.action)
    return result


async def save(ctx: Context, cohort: Cohort, plan: LessonPlan) -> HandlerResult:
    """Start the draft as the class's plan, or say a weekday is missing."""
    if not plans.weekday_list(plan.weekdays):
        return [Reply(ctx.t("plan.no_days")), editor(ctx, cohort, plan)]
    # A time already past today (saved at 19:58 for 08:00) opens its lesson now, not never.
    if await plans.launch(ctx.session, ctx.services, plan, cohort, ctx.now):
        started = ctx.t("plan.started_now", number=plan.next_step)
        return [Reply(started), view(ctx, cohort, plan)]
    date_text, time_text = _opening(ctx, cohort, plan)
    started = ctx.t("plan.started", number=plan.next_step + 1, date=date_text, time=time_text)
    return [Reply(started), view(ctx, cohort, plan)]


async def change_plan(
    ctx: Context, cohort: Cohort, plan: LessonPlan, action: PlanAction
) -> HandlerResult:
    """Pause, resume or cancel a running or paused plan; None when that makes no sense now."""
    match action:
        case PlanAction.pause if plans.pause_plan(plan):
            ctx.session.add(plan)
            return [Reply(ctx.t("plan.paused")), view(ctx, cohort, plan)]
        case PlanAction.resume if plans.resume_plan(plan, cohort.timezone, ctx.now):
            ctx.session.add(plan)
            date_text, time_text = _opening(ctx, cohort, plan)
            resumed = ctx.t(
                "plan.resumed", number=plan.next_step + 1, date=date_text, time=time_text
            )
            return [Reply(resumed), view(ctx, cohort, plan)]
        case PlanAction.cancel if plan.status in (PlanStatus.active, PlanStatus.paused):
            cid, pid = cohort.id or 0, plan.id or 0
            confirmed = PlanTap(PlanAction.cancel_confirmed, cid, pid)
            buttons = (
                (Button(ctx.t("plan.cancel_yes"), confirmed.pack()),),
                (Button(ctx.t("plan.cancel_no"), ViewPlan(cid).pack()),),
            )
            return Reply(ctx.t("plan.cancel_confirm", name=cohort.name), buttons=buttons)
        case PlanAction.cancel_confirmed if plan.status in (PlanStatus.active, PlanStatus.paused):
            await plans.cancel_plan(ctx.session, plan, cohort)
            return Reply(ctx.t("plan.cancelled", name=cohort.name), menu=await main_menu(ctx))
    return None
