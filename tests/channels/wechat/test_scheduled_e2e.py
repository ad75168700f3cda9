"""Scheduled messages on WeChat end to end over real HTTP: the runtime with the WeChat channel and
its transport, the poster posting as WeChat, the fake API recording customer-service and
template messages, the delivery engine ticked by hand on a clock the test moves (the fake's
48-hour window follows the same clock). The course is the starter one, with its wechat.yaml."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import insert
from sqlmodel import col, select

from bot.core.messages import Purpose
from bot.core.payloads import OpenLesson
from bot.db.models import (
    Announcement,
    Cohort,
    LessonProgress,
    Membership,
    OfferedChoice,
    Person,
)
from bot.i18n import Translator
from bot.lessons.templates import one_line
from bot.scheduling import announcements
from bot.scheduling.engine import TickReport
from tests.channels.wechat.conftest import LiveWeChat, running_wechat, wechat_settings
from tests.channels.wechat.test_e2e import choices
from tests.channels.whatsapp.conftest import free_port
from tests.fakes.wechat_api import FakeWeChatAPI, Template

zh = Translator("zh")
CONTENT = Path(__file__).parents[3] / "content"
COURSE = "sell-online"
CLASS = "平谷妇联一班"
ANNOUNCEMENT = "今晚八点直播课\n请带一张产品照片"


class Clock:
    """Monday 2026-05-04 10:00 in Shanghai (02:00 UTC) until the test moves it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    live: LiveWeChat
    clock: Clock
    public_url: str


@pytest.fixture
async def rig(fake_wechat: FakeWeChatAPI, database_url: str) -> AsyncIterator[Rig]:
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    settings = wechat_settings(
        fake_wechat,
        database_url,
        webhook_port=port,
        public_url=public_url,
        content_dir=CONTENT,
        default_course=COURSE,
        delivery_concurrency=16,
    )
    async with running_wechat(fake_wechat, settings) as live:
        clock = Clock()
        live.runtime.academy.services.clock = clock
        fake_wechat.clock = lambda: clock.now.timestamp()
        yield Rig(live, clock, public_url)


async def tick_until_idle(live: LiveWeChat) -> Counter[str]:
    """Tick the delivery engine until a tick finds nothing to send; the outcomes."""
    engine = live.runtime.delivery
    assert engine is not None
    outcomes = Counter[str]()
    report: TickReport = await engine.tick()
    outcomes.update(report.outcomes)
    while report.claimed:
        report = await engine.tick()
        outcomes.update(report.outcomes)
    return outcomes


async def do_lesson_one(live: LiveWeChat, openid: str) -> None:
    """`openid` follows the account and does lesson 1 and its quiz by typing numbers."""
    course = live.runtime.academy.services.courses[COURSE]
    first = course.lesson(course.lessons[0], "zh")
    (welcome,) = await live.event(openid, "subscribe")
    sent = await live.say(openid, choices(welcome)[zh("start.lesson", number=1)])
    for _ in range(len(first.cards) - 1):
        sent = await live.say(openid, choices(sent[-1])[zh("lesson.next")])
    sent = await live.say(openid, choices(sent[-1])[zh("lesson.start_quiz")])
    for item in first.quiz:
        sent = await live.say(openid, choices(sent[-1])[item.options[item.answer]])
    async with live.runtime.sessions() as session:
        person = await live.person(openid)
        passed = await session.exec(
            select(LessonProgress.lesson).where(
                LessonProgress.person_id == person.id, LessonProgress.status == "passed"
            )
        )
        assert list(passed) == [course.lessons[0]]


async def open_page(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def test_the_evening_reminder_is_a_message_inside_the_48_hours_then_a_template(
    rig: Rig,
) -> None:
    """Ana does lesson 1 on Monday morning. Tuesday evening she is inside her 48 hours: the
    reminder is a customer-service text (one of her five), its "1" kept to open the lesson.
    Wednesday evening (57 hours after she last wrote) it is the reminder template, its fields
    cut to 20 characters, and its tap opens lesson 2's page in Chinese."""
    live, clock, fake = rig.live, rig.clock, rig.live.fake
    await do_lesson_one(live, "oAna")
    assert await tick_until_idle(live) == {}  # Monday: her reminder schedule starts
    ana = await live.person("oAna")
    assert (ana.language, ana.timezone) == ("zh", "Asia/Shanghai")
    before = len(fake.messages("oAna"))
    spent_before = ana.budget_spent

    clock.now = datetime(2026, 5, 5, 11, 0, tzinfo=UTC)  # Tuesday 19:00 in Shanghai
    assert await tick_until_idle(live) == {"sent": 1}
    (reminder,) = fake.messages("oAna")[before:]
    assert reminder.msgtype == "text" and "上课" in reminder.text
    assert fake.templates_to("oAna") == []
    ana = await live.person("oAna")
    assert ana.budget_spent == spent_before + 1
    async with live.runtime.sessions() as session:
        kept = list(
            await session.exec(select(OfferedChoice).where(OfferedChoice.person_id == ana.id))
        )
    assert [(c.number, c.payload) for c in kept] == [(1, OpenLesson().pack())]

    clock.now = datetime(2026, 5, 6, 11, 0, tzinfo=UTC)  # Wednesday 19:00: 57 hours on
    assert await tick_until_idle(live) == {"sent": 1}
    assert len(fake.messages("oAna")) == before + 1  # no customer-service message tried
    assert fake.errors_answered == []
    (template,) = fake.templates_to("oAna")
    course = live.runtime.academy.services.courses[COURSE]
    wanted = course.wechat_templates.find(Purpose.reminder, "zh")
    assert wanted is not None and template.template_id == wanted.template_id
    second = course.lesson(course.lessons[1], "zh")
    assert template.data == {
        "thing1": one_line(second.title, 20),
        "thing2": "今天的小课准备好了",
        "time3": "2026-05-06 19:00",
    }
    assert all(len(value) <= 20 for value in template.data.values())
    assert template.url is not None and template.url.startswith(f"{rig.public_url}/lesson/")

    status, page = await open_page(template.url)
    assert status == 200
    assert second.title in page and second.cards[0].text.split("\n")[0] in page
    assert zh("lesson_page.heading", number=2, total=len(course.lessons)) in page
    assert zh("lesson.next") in page and zh("lesson_page.or_chat", lesson=zh("menu.lesson")) in page
    first = course.lesson(course.lessons[0], "zh")
    assert first.title not in page

    tampered = template.url[:-3] + ("AAA" if not template.url.endswith("AAA") else "BBB")
    status, page = await open_page(tampered)
    assert status == 403 and second.title not in page
    assert zh("lesson_page.bad_link", lesson=zh("menu.lesson")) in page


@dataclass
class Class:
    lecturer: Person
    cohort: Cohort
    inside: list[str]
    outside: list[str]


async def a_class_of(rig: Rig, size: int) -> Class:
    """A lecturer on WeChat (inside her window) and `size` trainees of her class: every other
    one wrote an hour ago (inside: five messages left), the rest three days ago (outside)."""
    live, now = rig.live, rig.clock.now
    inside = [f"oIn{n:04d}" for n in range(0, size, 2)]
    outside = [f"oOut{n:04d}" for n in range(1, size, 2)]

    def ago(openid: str) -> timedelta:
        return timedelta(hours=1) if openid in inside else timedelta(days=3)

    async with live.runtime.sessions() as session:
        lecturer = Person(
            channel="wechat",
            channel_user_id="oTeacher",
            display_name="王老师",
            language="zh",
            language_chosen=True,
            role="lecturer",
            budget_opened_at=now - timedelta(minutes=5),
        )
        session.add(lecturer)
        await session.flush()
        cohort = Cohort(
            name=CLASS,
            course_id=COURSE,
            timezone="Asia/Shanghai",
            lecturer_id=lecturer.id,
            invite_code="PGFL-2345",
        )
        session.add(cohort)
        await session.flush()
        rows = [
            {
                "channel": "wechat",
                "channel_user_id": openid,
                "display_name": f"学员{n}",
                "language": "zh",
                "language_chosen": True,
                "timezone": "Asia/Shanghai",
                "role": "trainee",
                "blocked": False,
                "timezone_chosen": False,
                "created_at": now - timedelta(days=10),
                "last_seen_at": now
                - (timedelta(hours=1) if openid in inside else timedelta(days=3)),
                "budget_opened_at": now
                - (timedelta(hours=1) if openid in inside else timedelta(days=3)),
                "budget_by_event": False,
                "budget_spent": 0,
                "cohort_id": cohort.id,
                "course_id": COURSE,
                "reminder_time": None,
            }
            for n, openid in enumerate(inside + outside)
        ]
        await session.exec(insert(Person), params=rows)  # type: ignore[call-overload]
        ids = await session.exec(
            select(Person.id).where(col(Person.channel_user_id).in_(inside + outside))
        )
        await session.exec(
            insert(Membership),  # type: ignore[call-overload]
            params=[{"cohort_id": cohort.id, "person_id": i, "joined_at": now} for i in ids],
        )
        await session.commit()
    live.fake.person_wrote("oTeacher")
    real = live.fake.clock
    for openid in inside:  # an hour ago, as WeChat counts
        live.fake.clock = lambda: real() - 3600
        live.fake.person_wrote(openid)
    live.fake.clock = real
    return Class(lecturer, cohort, inside, outside)


@pytest.mark.parametrize("size", [200])
async def test_an_announcement_reaches_a_class_inside_and_outside_the_window(
    rig: Rig, size: int
) -> None:
    await announce_and_check(rig, size)


async def announce_and_check(rig: Rig, size: int) -> None:
    live, fake = rig.live, rig.live.fake
    started = time.perf_counter()
    group = await a_class_of(rig, size)
    async with live.runtime.sessions() as session:
        announcement = Announcement(
            cohort_id=group.cohort.id, author_id=group.lecturer.id, text=ANNOUNCEMENT
        )
        session.add(announcement)
        await session.flush()
        assert await announcements.schedule(session, announcement, rig.clock.now) == size
        await session.commit()
    made = time.perf_counter() - started

    sending = time.perf_counter()
    outcomes = await tick_until_idle(live)
    spent = time.perf_counter() - sending
    assert outcomes == {"sent": size + 1}  # every trainee, then the report to the lecturer

    texts = [m for m in fake.sent if m.openid.startswith("oIn")]
    templates: list[Template] = [t for t in fake.templates if t.openid.startswith("oOut")]
    assert sorted(m.openid for m in texts) == sorted(group.inside)  # once each
    assert sorted(t.openid for t in templates) == sorted(group.outside)
    assert {m.text for m in texts} == {
        f"{zh('announce.header', lecturer='王老师', cohort=CLASS)}\n{ANNOUNCEMENT}"
    }
    course = live.runtime.academy.services.courses[COURSE]
    wanted = course.wechat_templates.find(Purpose.announcement, "zh")
    assert wanted is not None
    for template in templates:
        assert template.template_id == wanted.template_id and template.url is None
        assert template.data["thing1"] == "今晚八点直播课" and template.data["thing2"] == CLASS
    assert fake.errors_answered == []
    inside_now = [await live.person(openid) for openid in group.inside[:3]]
    assert [p.budget_spent for p in inside_now] == [1, 1, 1]
    report = fake.messages("oTeacher")[-1]
    assert report.text.startswith(zh("announce.report", sent=size, failed=0, blocked=0))
    print(
        f"\nWeChat announcement to {size}: {len(texts)} customer-service texts, "
        f"{len(templates)} template messages, 1 report; class made in {made:.2f} s, "
        f"delivery ticks {spent:.2f} s"
    )
