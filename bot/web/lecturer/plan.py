"""A class's lesson plan as a calendar: the next weeks with the lesson that opens on each plan
day at its time, and a form for the start day, weekdays and time. Saving changes the same
LessonPlan rows the chat's plan buttons do (bot.scheduling.plans)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web
from babel.dates import format_date, get_day_names

from bot.db.models import Cohort, LessonPlan, PlanStatus, Role
from bot.i18n import Translator
from bot.lessons.model import Course
from bot.localtime import local_day, parse_hhmm
from bot.scheduling import plans
from bot.web.guard import see_other
from bot.web.lecturer.common import class_path, form_of, services_of, viewed_class
from bot.web.pages import add_page, dashboard_of, render, viewer_of
from bot.zones import zone_name

WEEKS = 5  # the calendar: this week and four more


@dataclass(frozen=True)
class Opening:
    """A lesson that opens on a day of the calendar."""

    number: int  # from 1
    title: str
    time: str  # local HH:MM


@dataclass(frozen=True)
class Day:
    day: date
    label: str  # "4 May"
    today: bool
    past: bool
    openings: tuple[Opening, ...]


def calendar(
    plan: LessonPlan | None, cohort: Cohort, course: Course | None, today: date, language: str
) -> list[list[Day]]:
    """WEEKS weeks from this Monday, each day with the lessons a running plan opens on it."""
    monday = today - timedelta(days=today.weekday())
    end = monday + timedelta(weeks=WEEKS)
    found: dict[date, list[Opening]] = {}
    total = len(course.lessons) if course else 0
    if plan is not None and plan.status == PlanStatus.active and plan.next_step < total:
        zone = ZoneInfo(cohort.timezone)
        slugs = list(course.lessons) if course else []
        step = plan.next_step
        for instant in plans.occurrences(plan, zone, step):
            local = instant.astimezone(zone)
            if local.date() >= end or step >= total:
                break
            assert course is not None
            title = course.lesson(slugs[step], language).title
            found.setdefault(local.date(), []).append(
                Opening(step + 1, title, local.strftime("%H:%M"))
            )
            step += 1
    weeks = []
    for week in range(WEEKS):
        days = []
        for offset in range(7):
            day = monday + timedelta(weeks=week, days=offset)
            days.append(
                Day(
                    day=day,
                    label=format_date(day, "d MMM", locale=language),
                    today=day == today,
                    past=day < today,
                    openings=tuple(found.get(day, ())),
                )
            )
        weeks.append(days)
    return weeks


async def plan_page(request: web.Request) -> web.Response:
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    language = viewer.language
    async with dashboard.sessions() as session:
        cohort = await viewed_class(request, session)
        plan = await plans.current_plan(session, cohort.id or 0)
    course = dashboard.courses().get(cohort.course_id)
    today = local_day(cohort, dashboard.clock())
    total = len(course.lessons) if course else 0
    shown = plan if plan is not None and plan.status != PlanStatus.done else None
    draft = shown if shown is not None and shown.status == PlanStatus.draft else None
    wide = get_day_names("wide", locale=language)
    short = get_day_names("abbreviated", locale=language)
    return render(
        request,
        "lecturer_plan.html",
        cohort=cohort,
        base=class_path(cohort),
        plan=plan,
        weeks=calendar(plan, cohort, course, today, language),
        day_names=[str(wide[day]) for day in range(7)],
        short_names=[str(short[day]) for day in range(7)],
        start=(draft.start_date if draft else today).isoformat(),
        chosen=plans.weekday_list(shown.weekdays) if shown else [0, 2, 4],
        at=shown.time if shown else "19:00",
        opened=min(plan.next_step, total) if plan else 0,
        total=total,
        zone=zone_name(cohort.timezone, language),
        problem=request.query.get("problem", ""),
        saved=request.query.get("saved", ""),
        done=_done_note(request.query.get("done", ""), plan, cohort, language),
    )


def _done_note(done: str, plan: LessonPlan | None, cohort: Cohort, language: str) -> str:
    """The chat's sentence for what was just done to the plan ("" for nothing)."""
    t = Translator(language)
    if done == "paused" and plan is not None and plan.status == PlanStatus.paused:
        return t("plan.paused")
    if done == "resumed" and plan is not None and plan.status == PlanStatus.active:
        instant = plans.occurrence(plan, cohort.timezone, plan.next_step)
        day, at = plans.when_text(instant, cohort.timezone, language)
        return t("plan.resumed", number=plan.next_step + 1, date=day, time=at)
    if done == "cancelled":
        return t("plan.cancelled", name=cohort.name)
    return ""


def _start_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


async def save_plan(request: web.Request) -> web.Response:
    """The form's start day, weekdays and time on the class's plan: a draft (made as the chat
    makes one) is started; a running or paused plan keeps its lessons already open."""
    dashboard, viewer = dashboard_of(request), viewer_of(request)
    services = services_of(request)
    form = await form_of(request)
    start = _start_day(form.get("start", ""))
    at = parse_hhmm(form.get("time", ""))
    days = plans.weekday_list(form.get("weekday", ""))
    async with dashboard.sessions() as session:
        cohort = await viewed_class(request, session)
        back = class_path(cohort, "plan")
        now = dashboard.clock()
        if start is None or at is None:
            return see_other(back + "?problem=time")
        if not days:
            return see_other(back + "?problem=days")
        if start < local_day(cohort, now) - timedelta(days=7):
            return see_other(back + "?problem=start")
        plan = await plans.current_plan(session, cohort.id or 0)
        if plan is None or plan.status == PlanStatus.done:
            plan = await plans.new_draft(session, cohort, viewer.person_id, start)
        plans.reschedule(plan, cohort.timezone, start, days, at.strftime("%H:%M"))
        session.add(plan)
        if plan.status == PlanStatus.draft:
            await plans.launch(session, services, plan, cohort, now)
        elif plan.status == PlanStatus.active:
            await plans.advance(session, services, plan, now)
        await session.commit()
    return see_other(back + "?saved=1")


async def change_state(request: web.Request) -> web.Response:
    """Pause, resume or cancel (after a page that asks to be sure) the running or paused plan,
    as the chat's plan buttons do."""
    dashboard = dashboard_of(request)
    action = (await form_of(request)).get("action", "")
    now = dashboard.clock()
    async with dashboard.sessions() as session:
        cohort = await viewed_class(request, session)
        back = class_path(cohort, "plan")
        plan = await plans.current_plan(session, cohort.id or 0)
        if plan is None or plan.status not in (PlanStatus.active, PlanStatus.paused):
            return see_other(back)
        done = ""
        if action == "pause" and plans.pause_plan(plan):
            done = "paused"
        elif action == "resume" and plans.resume_plan(plan, cohort.timezone, now):
            done = "resumed"
        elif action == "cancel":
            return render(request, "lecturer_plan_cancel.html", cohort=cohort, base=back)
        elif action == "cancel_confirmed":
            await plans.cancel_plan(session, plan, cohort)
            done = "cancelled"
        session.add(plan)
        await session.commit()
    return see_other(f"{back}?done={done}" if done else back)


def add_plan_routes(app: web.Application) -> None:
    add_page(app, "/web/classes/{id}/plan", plan_page, role=Role.lecturer)
    add_page(app, "/web/classes/{id}/plan", save_plan, role=Role.lecturer, method="POST")
    add_page(app, "/web/classes/{id}/plan/state", change_state, role=Role.lecturer, method="POST")
