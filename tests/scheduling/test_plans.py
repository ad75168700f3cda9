"""Lesson plans: occurrences across DST, the planner with an injected clock (unlock, one message
per member per step, one message after downtime), pause/resume/cancel in the chat, gating of
trainees, and refusals. `academy plan import` is in test_plan_import.py."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from babel.dates import format_date
from sqlalchemy import func
from sqlmodel import col, select

from bot.core.messages import Incoming
from bot.db.models import Cohort, Delivery, LessonPlan, LessonProgress, Person
from bot.handlers import announce
from bot.handlers import plans as plan_handlers
from bot.i18n import Translator
from bot.localtime import QuietHours
from bot.runtime import Runtime
from bot.scheduling import plans
from bot.scheduling.compose import compose
from tests.conftest import SAMPLE_CONTENT, FixedClock, Trainee, make_settings, migrated_runtime
from tests.handlers.test_cohorts import a_class, fetch, make_lecturer

en = Translator("en")
SHANGHAI = "Asia/Shanghai"


def four_lessons(tmp_path: Path) -> Path:
    """The sample course with two more lessons (copies), so a plan has four steps."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    lessons = content / "courses/sample/lessons"
    for slug in ("third-step", "fourth-step"):
        for language in ("en", "es", "zh"):
            shutil.copy(lessons / f"first-steps.{language}.md", lessons / f"{slug}.{language}.md")
    course = content / "courses/sample/course.yaml"
    course.write_text(
        course.read_text().replace(
            "  - good-photos\n", "  - good-photos\n  - third-step\n  - fourth-step\n"
        )
    )
    return content


@pytest.fixture
async def school(database_url: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = make_settings(
        database_url, admin_ids="test:boss", content_dir=four_lessons(tmp_path)
    )
    runtime = await migrated_runtime(settings)
    runtime.academy.services.clock = FixedClock()  # Monday 2026-05-04 09:00 UTC, 17:00 in Shanghai
    runtime.academy.router.include(plan_handlers.router, announce.router)
    try:
        yield runtime
    finally:
        await runtime.close()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def tap(who: Trainee, payload: str) -> list:
    async with who.runtime.sessions() as session:
        who.last = await who.runtime.academy.handle(Incoming.button(who.sender, payload), session)
    return who.last


async def plan_lessons_at(runtime: Runtime, now: datetime) -> None:
    async with runtime.sessions() as session:
        await plans.plan_lessons(session, runtime.academy.services, now)
        await session.commit()


async def lesson_rows(runtime: Runtime) -> list[tuple[int, str, str, datetime]]:
    found = await fetch(runtime, Delivery, Delivery.kind == "lesson")
    return sorted((d.person_id, d.occurrence, d.status, d.due_at) for d in found)


async def pass_lesson(runtime: Runtime, user_id: str, slug: str) -> None:
    """Mark a lesson passed for a trainee, as finishing its quiz would."""
    async with runtime.sessions() as session:
        found = await session.exec(select(Person).where(Person.channel_user_id == user_id))
        who = found.one()
        rows = await session.exec(
            select(LessonProgress).where(
                LessonProgress.person_id == who.id, LessonProgress.lesson == slug
            )
        )
        row = rows.first() or LessonProgress(person_id=who.id, course_id="sample", lesson=slug)
        row.status = "passed"
        session.add(row)
        await session.commit()


async def cohort_of(runtime: Runtime) -> Cohort:
    (cohort,) = await fetch(runtime, Cohort)
    return cohort


async def plan_in_chat(lecturer: Trainee) -> LessonPlan:
    """From the class card: Mon, Tue, Fri at 18:00 from next Monday (2026-05-11)."""
    await lecturer.send("/cohorts")
    await lecturer.press("👥 Peaches")
    await lecturer.press(en("cohort.plan"))
    assert lecturer.texts == [en("plan.none", name="Peaches")]
    await lecturer.press(en("plan.make"))
    editor = lecturer.last[0]
    assert "Tuesday, May 5, 2026" in editor.text and "Monday, Wednesday, Friday" in editor.text
    assert all(len(b.payload.encode()) <= 64 for row in editor.buttons for b in row)
    for label in ("Mon", "Wed", "Fri"):  # untick everything: Save refuses
        await lecturer.press(f"✓ {label}")
    await lecturer.press(en("plan.save"))
    assert lecturer.texts[0] == en("plan.no_days")
    for label in ("Mon", "Tue", "Fri", "18:00", en("plan.start_monday")):
        await lecturer.press(label)
    assert lecturer.last[0].edit and "Monday, Tuesday, Friday" in lecturer.texts[0]
    assert "✓ 18:00" in [b.label for row in lecturer.last[0].buttons for b in row]
    await lecturer.press(en("plan.save"))
    started = en("plan.started", number=1, date="Monday, May 11, 2026", time="18:00")
    assert lecturer.texts[0] == started
    (plan,) = await fetch(lecturer.runtime, LessonPlan)
    assert (plan.status, plan.weekdays, plan.time, plan.start_date) == (
        "active",
        "0,1,4",
        "18:00",
        date(2026, 5, 11),
    )
    return plan


def test_occurrences_keep_the_local_time_across_dst_changes() -> None:
    plan = LessonPlan(cohort_id=1, start_date=date(2026, 3, 2), weekdays="0,2,4", time="19:00")
    tijuana = list(zip(range(6), plans.occurrences(plan, "America/Tijuana"), strict=False))
    # US clocks go forward on Sunday 2026-03-08: 19:00 is 03:00 UTC before, 02:00 UTC after.
    assert [instant for _, instant in tijuana] == [
        utc(2026, 3, 3, 3),
        utc(2026, 3, 5, 3),
        utc(2026, 3, 7, 3),
        utc(2026, 3, 10, 2),
        utc(2026, 3, 12, 2),
        utc(2026, 3, 14, 2),
    ]
    assert plans.occurrence(plan, "America/Tijuana", 4) == utc(2026, 3, 12, 2)
    autumn = LessonPlan(cohort_id=1, start_date=date(2026, 10, 20), weekdays="1", time="08:00")
    madrid = [plans.occurrence(autumn, "Europe/Madrid", k) for k in range(2)]
    assert madrid == [utc(2026, 10, 20, 6), utc(2026, 10, 27, 7)]  # CEST, then CET
    later = LessonPlan(cohort_id=1, start_date=date(2026, 3, 3), weekdays="0", time="19:00")
    assert plans.occurrence_date(later, 0) == date(2026, 3, 9)  # a Tuesday start: next Monday
    with pytest.raises(plans.PlanError):
        plans.occurrence(
            LessonPlan(cohort_id=1, start_date=date(2026, 3, 3), weekdays=""), "UTC", 0
        )


def test_quiet_hours_move_a_time_to_the_next_morning() -> None:
    quiet = QuietHours.parse("21:00-08:00")
    assert quiet.contains(time(23, 0)) and quiet.contains(time(7, 59))
    assert not quiet.contains(time(8, 0)) and not quiet.contains(time(20, 59))
    late = utc(2026, 5, 4, 15)  # 23:00 in Shanghai
    assert quiet.end_after(late, SHANGHAI) == utc(2026, 5, 5, 0)  # 08:00
    early = utc(2026, 5, 4, 19)  # 03:00 the next day in Shanghai
    assert quiet.end_after(early, SHANGHAI) == utc(2026, 5, 5, 0)
    assert quiet.end_after(utc(2026, 5, 4, 4), SHANGHAI) == utc(2026, 5, 4, 4)
    assert QuietHours.parse("off").end_after(late, SHANGHAI) == late


async def test_each_occurrence_unlocks_a_lesson_and_tells_the_class_once(school: Runtime) -> None:
    lecturer, _, (ana, ben, _eva) = await a_class(school)
    await ben.send("/lesson")  # Ben starts lesson 1 before there is a plan
    await plan_in_chat(lecturer)
    assert (await cohort_of(school)).unlocked == 0
    assert (await ben.send("/lesson"))[-1].text.startswith("📖 Lesson 1/4")  # still open to him

    # Before the first class day, lesson 1 is locked, with the day it opens.
    (locked,) = await ana.send("/lesson")
    assert locked.text == en("lesson.locked", number=1, date="Monday, May 11, 2026", time="18:00")
    assert locked.menu is not None
    await plan_lessons_at(school, utc(2026, 5, 11, 9, 59))
    assert await lesson_rows(school) == []

    first = utc(2026, 5, 11, 10)  # 18:00 in Shanghai
    for _ in range(2):  # planning twice never sends twice
        await plan_lessons_at(school, first)
    rows = await lesson_rows(school)
    members = sorted(
        p.id for p in await fetch(school, Person, col(Person.channel_user_id).in_(["ana", "ben"]))
    )
    assert rows == [(pid, "0", "pending", first) for pid in members]  # not Eva: she blocked us
    assert (await cohort_of(school)).unlocked == 1
    assert (await ana.send("/lesson"))[-1].text.startswith("📖 Lesson 1/4")
    (row, *_) = await fetch(school, Delivery, Delivery.kind == "lesson")
    (member,) = await fetch(school, Person, Person.id == row.person_id)
    async with school.sessions() as session:  # the message names the class it comes from
        message = await compose(session, school.academy.services, row, member)
    assert message is not None
    assert message.text == "\n".join(
        [
            en("plan.header", cohort="Peaches"),
            en("plan.lesson_ready", number=1, title="Choose one product to start with"),
        ]
    )

    # Ana passes lesson 1: lesson 2 is locked until Tuesday.
    await pass_lesson(school, "ana", "first-steps")
    (locked,) = await ana.send("/lesson")
    tuesday = format_date(date(2026, 5, 12), "full", locale="en")
    assert locked.text == en("lesson.locked", number=2, date=tuesday, time="18:00")
    assert (await ben.send("/lesson"))[-1].text.startswith("📖 Lesson 1/4")

    await plan_lessons_at(school, utc(2026, 5, 12, 10, 0, 5))
    assert (await cohort_of(school)).unlocked == 2
    assert [r[1] for r in await lesson_rows(school)] == ["0", "1", "0", "1"]
    assert (await ana.send("/lesson"))[-1].text.startswith("📖 Lesson 2/4")


async def test_after_downtime_the_class_gets_one_message_and_quiet_hours_are_kept(
    school: Runtime,
) -> None:
    lecturer, _, _ = await a_class(school)
    plan = await plan_in_chat(lecturer)
    # The bot was down over Mon, Tue and Fri: one run unlocks three lessons, one message each.
    friday = utc(2026, 5, 15, 11)  # 19:00 in Shanghai
    await plan_lessons_at(school, friday)
    assert (await cohort_of(school)).unlocked == 3
    rows = await lesson_rows(school)
    assert [(occ, status, due) for _, occ, status, due in rows] == [("2", "pending", friday)] * 2
    (stored,) = await fetch(school, LessonPlan)
    assert (stored.next_step, stored.status) == (3, "active")

    # The last step comes due at 23:00 local: its message waits for 08:00, the older one (still
    # unsent) is superseded, and with every lesson open the plan is done.
    await plan_lessons_at(school, utc(2026, 5, 18, 15))
    rows = await lesson_rows(school)
    morning = utc(2026, 5, 19, 0)
    assert [(occ, status) for _, occ, status, _ in rows] == [
        ("2", "cancelled"),
        ("3", "pending"),
    ] * 2
    assert {due for _, occ, _, due in rows if occ == "3"} == {morning}
    (stored,) = await fetch(school, LessonPlan)
    assert (stored.status, stored.next_step, stored.id) == ("done", 4, plan.id)
    assert (await cohort_of(school)).unlocked is None
    await lecturer.press(en("plan.back"))
    await lecturer.press(en("cohort.plan"))
    assert lecturer.texts == [en("plan.finished", name="Peaches")]


async def test_pause_resume_and_cancel(school: Runtime) -> None:
    clock = school.academy.services.clock
    lecturer, cohort, (ana, *_) = await a_class(school)
    plan = await plan_in_chat(lecturer)
    assert "Open now: 0 of 4 lessons" in lecturer.texts[1]
    await plan_lessons_at(school, utc(2026, 5, 11, 10))

    await lecturer.press(en("plan.pause"))
    assert lecturer.texts[0] == en("plan.paused")
    await plan_lessons_at(school, utc(2026, 5, 20))  # Tuesday's time passed while paused
    assert (await cohort_of(school)).unlocked == 1
    await pass_lesson(school, "ana", "first-steps")
    assert (await ana.send("/lesson"))[0].text == en("lesson.locked_soon", number=2)

    # Resuming on Wednesday does not catch up: lesson 2 opens on the next plan day, Friday.
    clock.now = utc(2026, 5, 20, 2)
    await lecturer.press(en("plan.resume"))
    friday = "Friday, May 22, 2026"
    assert lecturer.texts[0] == en("plan.resumed", number=2, date=friday, time="18:00")
    (stored,) = await fetch(school, LessonPlan)
    assert (stored.status, stored.start_date) == ("active", date(2026, 5, 19))
    await plan_lessons_at(school, clock.now)
    assert (await cohort_of(school)).unlocked == 1
    await plan_lessons_at(school, utc(2026, 5, 22, 10))
    assert (await cohort_of(school)).unlocked == 2
    assert await tap(lecturer, f"plan:resume:{cohort.id}:{plan.id}")  # not paused: stale
    assert lecturer.texts == [en("error.stale_button")]

    statuses = {(occ, status) for _, occ, status, _ in await lesson_rows(school)}
    assert statuses == {("0", "cancelled"), ("1", "pending")}  # step 0's unsent: superseded
    await tap(lecturer, f"plan:view:{cohort.id}")
    assert "Open now: 2 of 4 lessons" in lecturer.texts[0]
    await lecturer.press(en("plan.cancel"))
    assert lecturer.texts == [en("plan.cancel_confirm", name="Peaches")]
    await lecturer.press(en("plan.cancel_yes"))
    assert lecturer.texts == [en("plan.cancelled", name="Peaches")]
    (stored,) = await fetch(school, LessonPlan)
    assert stored.status == "cancelled" and (await cohort_of(school)).unlocked is None
    statuses = {(occ, status) for _, occ, status, _ in await lesson_rows(school)}
    assert statuses == {("0", "cancelled"), ("1", "cancelled")}
    assert (await ana.send("/lesson"))[-1].text.startswith("📖 Lesson 2/4")
    await plan_lessons_at(school, utc(2026, 6, 1))
    assert (await cohort_of(school)).unlocked is None


async def snapshot(runtime: Runtime) -> tuple:
    async with runtime.sessions() as session:
        found = await session.exec(select(LessonPlan).order_by(LessonPlan.id))
        rows = [(p.status, p.weekdays, p.time, p.start_date, p.next_step) for p in found]
        unlocked = [c.unlocked for c in await session.exec(select(Cohort))]
        count = (await session.exec(select(func.count()).select_from(Delivery))).one()
    return rows, unlocked, count


async def test_plan_buttons_are_refused_to_trainees_and_other_lecturers(school: Runtime) -> None:
    lecturer, cohort, (ana, *_) = await a_class(school)
    rival = await make_lecturer(school, "rival", "Rival")
    plan = await plan_in_chat(lecturer)
    cid, pid = cohort.id, plan.id
    payloads = [f"plan:view:{cid}", f"plan:new:{cid}"] + [
        f"plan:{action}:{cid}:{pid}{arg}"
        for action, arg in (
            ("start", ":today"),
            ("day", ":3"),
            ("time", ":0800"),
            ("save", ""),
            ("pause", ""),
            ("resume", ""),
            ("cancel", ""),
            ("cancelok", ""),
        )
    ]
    for who in (ana, rival):
        for payload in payloads:
            before = await snapshot(school)
            replies = await tap(who, payload)
            assert [r.text for r in replies] == [en("access.denied")], (who.sender.user_id, payload)
            assert await snapshot(school) == before, (who.sender.user_id, payload)


async def test_a_plan_saved_after_todays_time_opens_the_first_lesson_now(school: Runtime) -> None:
    """At 19:58 a plan from today at 08:00 never promises a time already past: lesson 1 opens
    at once (the class is told now) and the next lesson keeps the plan's days."""
    clock = school.academy.services.clock
    clock.now = utc(2026, 5, 4, 11, 58)  # Monday 19:58 in Shanghai
    lecturer, _, _ = await a_class(school)
    await lecturer.send("/cohorts")
    await lecturer.press("👥 Peaches")
    await lecturer.press(en("cohort.plan"))
    await lecturer.press(en("plan.make"))
    for label in (en("plan.start_today"), "08:00"):
        await lecturer.press(label)
    await lecturer.press(en("plan.save"))
    started, shown = lecturer.texts
    assert started == en("plan.started_now", number=1)
    wednesday = en("plan.next", number=2, date="Wednesday, May 6, 2026", time="08:00")
    assert wednesday in shown
    assert (await cohort_of(school)).unlocked == 1
    rows = await lesson_rows(school)
    assert [(occ, status, due) for _, occ, status, due in rows] == [("0", "pending", clock.now)] * 2
    await plan_lessons_at(school, clock.now)  # the planner agrees: nothing more to send
    assert len(await lesson_rows(school)) == 2
