"""The lesson plan as a calendar: saving the form changes the same LessonPlan rows the chat
edits (the chat's plan view shows it), the calendar shows which lesson opens when, and a form
the plan cannot run with changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from bot.db.models import Cohort, LessonPlan, PlanStatus
from bot.i18n import Translator
from tests.web.conftest import DashboardSite
from tests.web.lecturer import Lecturer, lecturer_with_class

en = Translator("en")


async def plans_of(lecturer: Lecturer) -> list[LessonPlan]:
    async with lecturer.site.runtime.sessions() as session:
        found = await session.exec(
            select(LessonPlan).where(LessonPlan.cohort_id == lecturer.class_id)
        )
        return list(found)


async def chat_plan(lecturer: Lecturer) -> str:
    """The plan as the chat shows it: class card, then its lesson plan button."""
    await lecturer.chat.send("/cohorts")
    await lecturer.chat.press("👥 Peaches")
    await lecturer.chat.press(en("cohort.plan"))
    return "\n".join(lecturer.chat.texts)


async def test_a_plan_saved_on_the_web_is_the_one_the_chat_shows(
    dashboard: DashboardSite,
) -> None:
    lecturer = await lecturer_with_class(dashboard)
    page = await lecturer.browser.get(lecturer.base + "/plan")
    assert page.status == 200 and page.shows(en("web.plan_state_none"))
    assert "Lesson 1" not in page.text
    # Monday 4 May 2026, 17:00 in Shanghai: from Tuesday, Tuesdays and Thursdays at 18:30.
    saved = await lecturer.browser.post(
        lecturer.base + "/plan",
        {"start": "2026-05-05", "weekday": "1", "time": "18:30"},
    )
    assert saved.status == 303 and saved.location.endswith("/plan?saved=1")
    # Saved again with Thursday ticked too: ticked boxes come as a repeated field.
    async with lecturer.browser.http.post(
        lecturer.browser.url(lecturer.base + "/plan"),
        data=[
            ("csrf", lecturer.browser.csrf),
            ("start", "2026-05-05"),
            ("weekday", "1"),
            ("weekday", "3"),
            ("time", "18:30"),
        ],
        allow_redirects=False,
    ) as response:
        assert response.status == 303
    (plan,) = await plans_of(lecturer)
    assert plan.status == PlanStatus.active
    assert (plan.start_date, plan.weekdays, plan.time) == (date(2026, 5, 5), "1,3", "18:30")
    async with dashboard.runtime.sessions() as session:
        cohort = await session.get(Cohort, lecturer.class_id)
        assert cohort is not None and cohort.unlocked == 0  # lessons lock as the chat's do
    shown = await chat_plan(lecturer)
    assert "Tuesday, Thursday, at 18:30" in shown
    assert "Tuesday, May 5, 2026" in shown
    page = await lecturer.browser.get(lecturer.base + "/plan?saved=1")
    assert page.shows(en("web.plan_saved"))
    assert page.shows(en("web.plan_state_active", opened=0, total=2))
    # Tuesday 5 May: lesson 1 at 18:30; Thursday 7 May: lesson 2; the sample course has 2.
    first = page.text.index("5 May")
    assert page.text.index("18:30", first) < page.text.index("6 May")
    assert page.text.index(en("web.plan_lesson", number=2)) > page.text.index("7 May")
    assert page.text.count("<strong>18:30</strong>") == 2
    await lecturer.close()


async def test_changing_a_running_plan_keeps_the_lessons_already_open(
    dashboard: DashboardSite,
) -> None:
    lecturer = await lecturer_with_class(dashboard)
    plan_page = lecturer.base + "/plan"
    await lecturer.browser.get(plan_page)
    # Today, every day at 08:00: 08:00 has passed in Shanghai, so lesson 1 opens at once.
    await lecturer.browser.post(plan_page, {"start": "2026-05-04", "weekday": "0", "time": "08:00"})
    (plan,) = await plans_of(lecturer)
    assert plan.next_step == 1
    # From Wednesday, at 19:00 on Wednesdays: lesson 2 opens on 6 May.
    await lecturer.browser.post(plan_page, {"start": "2026-05-06", "weekday": "2", "time": "19:00"})
    (plan,) = await plans_of(lecturer)
    assert (plan.next_step, plan.weekdays, plan.time) == (1, "2", "19:00")
    assert "Wednesday, May 6, 2026" in await chat_plan(lecturer)
    lecturer.site.later(timedelta(days=2, hours=2))  # Wednesday 6 May, 19:00 in Shanghai
    page = await lecturer.browser.get(plan_page)
    assert page.shows(en("web.plan_state_active", opened=1, total=2))
    await lecturer.close()


async def test_a_plan_without_a_day_or_time_is_refused(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard)
    plan_page = lecturer.base + "/plan"
    await lecturer.browser.get(plan_page)
    no_day = await lecturer.browser.post(plan_page, {"start": "2026-05-05", "time": "19:00"})
    assert no_day.location.endswith("?problem=days")
    bad_time = await lecturer.browser.post(
        plan_page, {"start": "2026-05-05", "weekday": "1", "time": "25:00"}
    )
    assert bad_time.location.endswith("?problem=time")
    old = await lecturer.browser.post(
        plan_page, {"start": "2025-01-01", "weekday": "1", "time": "19:00"}
    )
    assert old.location.endswith("?problem=start")
    no_csrf = await lecturer.browser.post(
        plan_page, {"start": "2026-05-05", "weekday": "1", "time": "19:00"}, csrf=""
    )
    assert no_csrf.status == 403
    assert await plans_of(lecturer) == []
    page = await lecturer.browser.get(plan_page + "?problem=days")
    assert page.shows(en("web.plan_problem_days"))
    await lecturer.close()


async def test_pause_resume_and_cancel_as_in_the_chat(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard)
    plan_page, state = lecturer.base + "/plan", lecturer.base + "/plan/state"
    await lecturer.browser.get(plan_page)
    await lecturer.browser.post(plan_page, {"start": "2026-05-05", "weekday": "1", "time": "19:00"})
    paused = await lecturer.browser.post(state, {"action": "pause"})
    assert (await lecturer.browser.get(paused.location)).shows(en("plan.paused"))
    assert [p.status for p in await plans_of(lecturer)] == [PlanStatus.paused]
    resumed = await lecturer.browser.post(state, {"action": "resume"})
    page = await lecturer.browser.get(resumed.location)
    assert page.shows(en("plan.resumed", number=1, date="Tuesday, May 5, 2026", time="19:00"))
    sure = await lecturer.browser.post(state, {"action": "cancel"})
    assert sure.status == 200 and sure.shows(en("plan.cancel_confirm", name="Peaches"))
    assert [p.status for p in await plans_of(lecturer)] == [PlanStatus.active]
    cancelled = await lecturer.browser.post(state, {"action": "cancel_confirmed"})
    assert (await lecturer.browser.get(cancelled.location)).shows(
        en("plan.cancelled", name="Peaches")
    )
    assert [p.status for p in await plans_of(lecturer)] == [PlanStatus.cancelled]
    async with dashboard.runtime.sessions() as session:
        cohort = await session.get(Cohort, lecturer.class_id)
        assert cohort is not None and cohort.unlocked is None  # every lesson open, as the chat
    assert (await lecturer.browser.post(state, {"action": "pause"}, csrf="")).status == 403
    await lecturer.close()
