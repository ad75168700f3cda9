"""A class's lesson plan in the chat: see it, pause, resume or cancel it, or make one with
buttons (start day, weekdays, time, then Save).

Payloads: `plan:<action>:<cohort id>[:<plan id>[:<choice>]]`. Every action checks that the person
may manage the class; a button of another plan or an old state answers "no longer active".
"""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_date, get_day_names

from bot.core.messages import Button, Reply
from bot.core.payloads import StaleButton, button_fields, button_number
from bot.db.models import Cohort, LessonPlan, PlanStatus
from bot.handlers.cohorts import managed_cohort, refuse
from bot.handlers.menu import main_menu
from bot.localtime import local_day
from bot.pipeline.router import Context, HandlerResult, Router
from bot.scheduling import plans
from bot.zones import zone_name

router = Router("plans")
TIMES = ("08:00", "12:00", "17:00", "18:00", "19:00", "20:00")
# The start days offered, with the catalog key of each button.
STARTS = {
    "today": "plan.start_today",
    "tomorrow": "plan.start_tomorrow",
    "monday": "plan.start_monday",
}
Rows = tuple[tuple[Button, ...], ...]
# How many fields each action's payload has after `plan:`.
FIELDS = {
    **dict.fromkeys(("view", "new"), 2),
    **dict.fromkeys(("save", "pause", "resume", "cancel", "cancelok"), 3),
    **dict.fromkeys(("start", "day", "time"), 4),
}


def _tick(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


def start_choices(today: date) -> dict[str, date]:
    """The start days offered: today, tomorrow, and next Monday (a week on, if today is one)."""
    return {
        "today": today,
        "tomorrow": today + timedelta(days=1),
        "monday": today + timedelta(days=7 - today.weekday()),
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
    cid, pid = cohort.id, plan.id
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
        Button(_tick(str(short[day]), day in chosen), f"plan:day:{cid}:{pid}:{day}")
        for day in range(7)
    ]
    time_buttons = [
        Button(_tick(at, at == plan.time), f"plan:time:{cid}:{pid}:{at.replace(':', '')}")
        for at in TIMES
    ]
    rows: Rows = (
        tuple(
            Button(
                _tick(ctx.t(STARTS[key]), plan.start_date == day), f"plan:start:{cid}:{pid}:{key}"
            )
            for key, day in starts.items()
        ),
        tuple(day_buttons[:4]),
        tuple(day_buttons[4:]),
        tuple(time_buttons[:3]),
        tuple(time_buttons[3:]),
        (Button(ctx.t("plan.save"), f"plan:save:{cid}:{pid}"),),
    )
    return Reply(text, buttons=rows, edit=edit)


def view(ctx: Context, cohort: Cohort, plan: LessonPlan | None) -> Reply:
    """The class's plan and what can be done with it, or an offer to make one."""
    cid = cohort.id
    back = (Button(ctx.t("plan.back"), f"coh:view:{cid}"),)
    if plan is None or plan.status in (PlanStatus.draft, PlanStatus.done):
        key = (
            "plan.finished" if plan is not None and plan.status == PlanStatus.done else "plan.none"
        )
        make = (Button(ctx.t("plan.make"), f"plan:new:{cid}"),)
        return Reply(ctx.t(key, name=cohort.name), buttons=(make, back))
    language = ctx.person.language
    if plan.status == PlanStatus.active:
        date_text, time_text = plans.when_text(
            plans.occurrence(plan, cohort.timezone, plan.next_step), cohort.timezone, language
        )
        upcoming = ctx.t("plan.next", number=plan.next_step + 1, date=date_text, time=time_text)
        toggle = Button(ctx.t("plan.pause"), f"plan:pause:{cid}:{plan.id}")
    else:
        upcoming = ctx.t("plan.next_paused")
        toggle = Button(ctx.t("plan.resume"), f"plan:resume:{cid}:{plan.id}")
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
    cancel = (Button(ctx.t("plan.cancel"), f"plan:cancel:{cid}:{plan.id}"),)
    return Reply(text, buttons=((toggle,), cancel, back))


def _opening(ctx: Context, cohort: Cohort, plan: LessonPlan) -> tuple[str, str]:
    instant = plans.occurrence(plan, cohort.timezone, plan.next_step)
    return plans.when_text(instant, cohort.timezone, ctx.person.language)


@router.button("plan")
async def plan_action(ctx: Context) -> HandlerResult:
    """Every plan button: check the class, then the plan and its state, then act."""
    fields = button_fields(ctx.incoming.payload, 2, 3, 4)
    if FIELDS.get(fields[0]) != len(fields):
        raise StaleButton(ctx.incoming.payload)
    action, cohort_id, plan_id, choice = [*fields, "", ""][:4]
    cohort = await managed_cohort(ctx, button_number(cohort_id))
    if cohort is None:
        return await refuse(ctx)
    current = await plans.current_plan(ctx.session, cohort.id or 0)
    if action == "view":
        return view(ctx, cohort, current)
    if action == "new":
        if current is not None and current.status in (PlanStatus.active, PlanStatus.paused):
            return view(ctx, cohort, current)
        assert ctx.person.id is not None
        draft = await plans.new_draft(ctx.session, cohort, ctx.person.id, _today(ctx, cohort))
        return editor(ctx, cohort, draft)
    plan = current if current is not None and current.id == button_number(plan_id) else None
    if plan is None:
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    if plan.status == PlanStatus.draft:
        result = await edit_draft(ctx, cohort, plan, action, choice)
    else:
        result = await change_plan(ctx, cohort, plan, action)
    if result is None:
        return Reply(ctx.t("error.stale_button"), menu=await main_menu(ctx))
    return result


async def edit_draft(
    ctx: Context, cohort: Cohort, plan: LessonPlan, action: str, choice: str
) -> HandlerResult:
    """A tap in the draft editor; None for a choice that is not offered."""
    if action == "start" and choice in STARTS:
        plan.start_date = start_choices(_today(ctx, cohort))[choice]
    elif action == "day" and (day := button_number(choice)) <= 6:
        days = set(plans.weekday_list(plan.weekdays)) ^ {day}
        plan.weekdays = plans.weekday_text(days)
    elif action == "time" and f"{choice[:2]}:{choice[2:]}" in TIMES:
        plan.time = f"{choice[:2]}:{choice[2:]}"
    elif action == "save":
        if not plans.weekday_list(plan.weekdays):
            return [Reply(ctx.t("plan.no_days")), editor(ctx, cohort, plan)]
        await plans.start_plan(ctx.session, plan, cohort)
        # A time already past today (saved at 19:58 for 08:00) opens its lesson now, not never.
        if await plans.advance(ctx.session, ctx.services, plan, ctx.now):
            started = ctx.t("plan.started_now", number=plan.next_step)
            return [Reply(started), view(ctx, cohort, plan)]
        date_text, time_text = _opening(ctx, cohort, plan)
        started = ctx.t("plan.started", number=plan.next_step + 1, date=date_text, time=time_text)
        return [Reply(started), view(ctx, cohort, plan)]
    else:
        return None
    ctx.session.add(plan)
    return editor(ctx, cohort, plan, edit=True)


async def change_plan(ctx: Context, cohort: Cohort, plan: LessonPlan, action: str) -> HandlerResult:
    """Pause, resume or cancel a running or paused plan; None when that makes no sense now."""
    match action:
        case "pause" if plans.pause_plan(plan):
            ctx.session.add(plan)
            return [Reply(ctx.t("plan.paused")), view(ctx, cohort, plan)]
        case "resume" if plans.resume_plan(plan, cohort.timezone, ctx.now):
            ctx.session.add(plan)
            date_text, time_text = _opening(ctx, cohort, plan)
            resumed = ctx.t(
                "plan.resumed", number=plan.next_step + 1, date=date_text, time=time_text
            )
            return [Reply(resumed), view(ctx, cohort, plan)]
        case "cancel" if plan.status in (PlanStatus.active, PlanStatus.paused):
            buttons = (
                (Button(ctx.t("plan.cancel_yes"), f"plan:cancelok:{cohort.id}:{plan.id}"),),
                (Button(ctx.t("plan.cancel_no"), f"plan:view:{cohort.id}"),),
            )
            return Reply(ctx.t("plan.cancel_confirm", name=cohort.name), buttons=buttons)
        case "cancelok" if plan.status in (PlanStatus.active, PlanStatus.paused):
            await plans.cancel_plan(ctx.session, plan, cohort)
            return Reply(ctx.t("plan.cancelled", name=cohort.name), menu=await main_menu(ctx))
    return None
