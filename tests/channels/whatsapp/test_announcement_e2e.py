"""A lecturer's announcement to a class of 1,000 on WhatsApp, end to end over real HTTP: the
runtime with the WhatsApp channel, the fake Graph API posting signed web-hooks and recording
every send. Half the class last wrote three days ago (their 24-hour window is closed: the
approved template goes), half within the hour (the text goes as it is); the statuses Meta
reports come back as the lecturer's delivered and read counts."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlmodel import col, select

from bot.core.messages import Purpose
from bot.core.payloads import OpenLesson, OpenScheduled
from bot.db.models import (
    Cohort,
    Delivery,
    DeliveryKind,
    Membership,
    MessageReceipt,
    Person,
    ReceiptStatus,
)
from bot.db.types import utcnow
from bot.i18n import Translator
from bot.lessons.templates import Template
from bot.scheduling import store
from bot.scheduling.engine import TickReport
from tests.channels.whatsapp.conftest import LiveWhatsApp, running_whatsapp, whatsapp_settings
from tests.channels.whatsapp.test_e2e import idle, tap
from tests.fakes.graph_server import FakeGraph, GraphUser, Sent

es = Translator("es")
# The starter course: the one with the whatsapp.yaml a deployer submits to Meta.
CONTENT = Path(__file__).parents[3] / "content"
COURSE = "sell-online"
CLASS = "Duraznos de Zacatlán"
SIZE = 1000
SILENT, RECENT = timedelta(days=3), timedelta(minutes=20)
LECTURER = "MX.9000"
ANNOUNCEMENT = "Clase en vivo hoy a las 8 de la noche\nTraigan una foto de su producto"


def trainee_id(n: int) -> str:
    return f"MX.{10_000 + n}"


@pytest.fixture
async def live(fake_graph: FakeGraph, database_url: str) -> AsyncIterator[LiveWhatsApp]:
    settings = whatsapp_settings(
        fake_graph,
        database_url,
        content_dir=CONTENT,
        default_course=COURSE,
        quiet_hours="off",  # "now" is now at any hour the suite runs
        whatsapp_send_rate=100_000,  # the budget's pacing is the benchmark's business
        delivery_concurrency=16,
    )
    async with running_whatsapp(fake_graph, settings) as live:
        yield live


@dataclass
class Class:
    cohort: Cohort
    lecturer: GraphUser
    recent: list[GraphUser]
    silent: list[GraphUser]


async def a_class_of(live: LiveWhatsApp, size: int) -> Class:
    """A lecturer on WhatsApp and `size` trainees in their class (the trainees and their
    memberships: two bulk inserts, no conversations); every other trainee last wrote three days
    ago, the rest 20 minutes ago."""
    now = utcnow()
    fake = live.fake
    async with live.runtime.sessions() as session:
        lecturer = Person(
            channel="whatsapp",
            channel_user_id=LECTURER,
            display_name="Lupita",
            language="es",
            language_chosen=True,
            timezone="America/Mexico_City",
            role="lecturer",
        )
        session.add(lecturer)
        await session.flush()
        cohort = Cohort(
            name=CLASS,
            course_id=COURSE,
            timezone="America/Mexico_City",
            lecturer_id=lecturer.id,
            invite_code="DURA-ZNOS",
        )
        session.add(cohort)
        await session.flush()
        rows = [
            {
                "channel": "whatsapp",
                "channel_user_id": trainee_id(n),
                "display_name": f"Ana {n}",
                "language": "es",
                "language_chosen": True,
                "timezone": "America/Mexico_City",
                "role": "trainee",
                "blocked": False,
                "timezone_chosen": False,
                "created_at": now - timedelta(days=10),
                "last_seen_at": now - (SILENT if n % 2 else RECENT),
                "cohort_id": cohort.id,
                "course_id": COURSE,
                "reminder_time": None,  # no daily reminder joins the announcement here
            }
            for n in range(size)
        ]
        await session.exec(insert(Person), params=rows)  # type: ignore[call-overload]
        ids = await session.exec(
            select(Person.id).where(
                col(Person.channel_user_id).in_([r["channel_user_id"] for r in rows])
            )
        )
        await session.exec(
            insert(Membership),  # type: ignore[call-overload]
            params=[{"cohort_id": cohort.id, "person_id": i, "joined_at": now} for i in ids],
        )
        await session.commit()
    users = [fake.user(trainee_id(n), f"Ana {n}") for n in range(size)]
    return Class(
        cohort,
        fake.user(LECTURER, "Lupita"),
        recent=users[0::2],
        silent=users[1::2],
    )


def titled(user: GraphUser, start: str) -> str:
    """The title of the choice offered last to `user` that starts with `start` (cut or not)."""
    offered = user.messages()[-1].choices()
    found = [title for title, _ in offered if title.startswith(start)]
    assert len(found) == 1, offered
    return found[0]


def only(user: GraphUser) -> Sent:
    """The one message `user` got."""
    (sent,) = user.messages()
    return sent


async def delivery_ids(live: LiveWhatsApp) -> dict[str, str]:
    """The announcement's template payload per trainee: the tap that opens their own copy."""
    async with live.runtime.sessions() as session:
        found = await session.exec(
            select(Person.channel_user_id, Delivery.id)
            .join(Delivery, col(Delivery.person_id) == col(Person.id))
            .where(Delivery.kind == DeliveryKind.announcement)
        )
        return {user_id: OpenScheduled(delivery_id or 0).pack() for user_id, delivery_id in found}


async def tick_until_idle(live: LiveWhatsApp) -> list[TickReport]:
    """Tick the delivery engine until a tick finds nothing to send."""
    engine = live.runtime.delivery
    assert engine is not None
    reports = []
    while (report := await engine.tick()).claimed:
        reports.append(report)
    return reports


async def test_an_announcement_to_a_thousand_with_half_outside_the_window(
    live: LiveWhatsApp,
) -> None:
    fake = live.fake
    started = time.perf_counter()
    group = await a_class_of(live, SIZE)
    made = time.perf_counter() - started
    course = live.runtime.academy.services.courses[COURSE]
    template = course.templates.find(Purpose.announcement, "es")
    assert isinstance(template, Template)
    lupita = group.lecturer

    # The lecturer announces through the chat: her class, "Announce", the text, "Send now".
    await lupita.send_text("/cohorts")
    await idle(live)
    (card,) = await tap(live, lupita, titled(lupita, "👥 Duraznos"))
    assert card.text.startswith(f"👥 {CLASS}")
    (ask,) = await tap(live, lupita, es("cohort.announce"))
    assert ask.text == es("announce.ask", name=CLASS)
    await lupita.send_text(ANNOUNCEMENT)
    (preview,) = await lupita.wait_messages(1)  # the title and the text: one message
    assert preview.text.startswith(es("announce.preview", count=SIZE, name=CLASS))
    assert preview.text.endswith(ANNOUNCEMENT)
    (sending,) = await tap(live, lupita, es("announce.send_now"))
    assert sending.text.startswith(es("announce.sending", count=SIZE))

    sending_started = time.perf_counter()
    ticks = await tick_until_idle(live)
    spent = time.perf_counter() - sending_started
    outcomes = Counter[str]()
    for report in ticks:
        outcomes.update(report.outcomes)
    assert outcomes == {"sent": SIZE + 1}  # every trainee, then the report to the lecturer

    # Each trainee had it once: the ones who wrote lately as the text itself, the silent ones
    # as the class-message template in their language, its button opening their copy.
    arrived = f"{es('announce.header', lecturer='Lupita', cohort=CLASS)}\n{ANNOUNCEMENT}"
    everyone = group.recent + group.silent
    assert sorted(len(user.messages()) for user in everyone) == [1] * SIZE  # 0 missing, 0 twice
    texts = [only(user) for user in group.recent]
    assert {(m.type, m.text) for m in texts} == {("text", arrived)}
    rows = await delivery_ids(live)
    templates = [only(user) for user in group.silent]
    assert [m.template for m in templates] == [template.name] * len(group.silent)
    assert template.name == "academy_class_message"
    for user, sent in zip(group.silent, templates, strict=True):
        assert sent.payload["language"] == {"code": template.code}  # es_MX
        body, button = sent.payload["components"]
        first_line = ANNOUNCEMENT.splitlines()[0]
        assert [p["text"] for p in body["parameters"]] == [user.name, CLASS, first_line]
        assert (button["sub_type"], button["index"]) == ("QUICK_REPLY", 0)
        assert button["parameters"] == [{"type": "payload", "payload": rows[user.user_id]}]
    print(
        f"\nWhatsApp announcement to {SIZE}: {len(fake.sent)} messages sent "
        f"({len(templates)} templates, {len(texts)} texts, the rest to the lecturer); "
        f"class made in {made:.2f} s, delivery ticks {spent:.1f} s ({len(ticks)} ticks)"
    )

    # A silent one taps the template's button: the announcement in full, as it would have come.
    tapping = group.silent[7]
    await tapping.tap_template(template.button, rows[tapping.user_id], templates[7])
    await idle(live)
    (shown,) = tapping.messages()[1:]
    assert (shown.type, shown.text) == ("text", arrived)

    # The lecturer's report came when the last one went; no phone had said anything yet.
    report = lupita.messages()[-1]
    sent_line = es("announce.report", sent=SIZE, failed=0, blocked=0)
    assert (
        report.text == f"{sent_line}\n{es('announce.receipts', tracked=SIZE, delivered=0, read=0)}"
    )
    # Meta reports: delivered for all but a few whose phones are gone (131026), read for some.
    gone = templates[:4] + texts[:2]
    read = texts[100:300] + templates[100:200]
    reached = [m for m in texts + templates if m not in gone]
    await fake.report("delivered", reached)
    assert (
        await fake.post_statuses([fake.status(m, "failed", error_code=131026) for m in gone]) == 200
    )
    await fake.report("read", read)
    await idle(live)
    (counts,) = await tap(live, lupita, es("announce.counts_again"))
    again = es("announce.receipts", tracked=SIZE, delivered=SIZE - len(gone), read=len(read))
    assert counts.text == f"{sent_line}\n{again}"
    async with live.runtime.sessions() as session:
        receipts = list(await session.exec(select(MessageReceipt)))
        people = list(await session.exec(select(Person).where(col(Person.blocked))))
    failed = {r.message_ref: r.error_code for r in receipts if r.status is ReceiptStatus.failed}
    assert failed == {m.wamid: 131026 for m in gone} and people == []  # not "blocked"


async def test_a_reminder_goes_as_the_template_when_the_window_is_closed_or_meta_says_so(
    live: LiveWhatsApp,
) -> None:
    """Rosa last wrote 30 hours ago: her reminder is the template at once. Beto wrote an hour
    ago, but Meta answers 131047 (its clock says his window closed): the template goes
    instead, and his tap on it opens the lesson."""
    fake, now, zone = live.fake, utcnow(), "America/Mexico_City"
    async with live.runtime.sessions() as session:
        rosa, beto = (
            Person(
                channel="whatsapp",
                channel_user_id=user_id,
                display_name=name,
                language="es",
                language_chosen=True,
                timezone=zone,
                created_at=now - ago,
                last_seen_at=now - ago,
            )
            for user_id, name, ago in (
                ("MX.2001", "Rosa", timedelta(hours=30)),
                ("MX.2002", "Beto", timedelta(hours=1)),
            )
        )
        session.add_all([rosa, beto])
        await session.flush()
        await store.enqueue(
            session,
            [rosa.id or 0, beto.id or 0],
            kind=DeliveryKind.reminder,
            due_at=now,
            occurrence=now.astimezone(ZoneInfo(zone)).date().isoformat(),
        )
        await session.commit()
    users = [fake.user("MX.2001", "Rosa"), fake.user("MX.2002", "Beto")]
    fake.fail_next(131047, recipient="MX.2002")

    outcomes = Counter[str]()
    for report in await tick_until_idle(live):
        outcomes.update(report.outcomes)
    assert outcomes == {"sent": 2}
    assert fake.errors_answered == [("MX.2002", 131047)]  # one free-form try, for Beto only
    course = live.runtime.academy.services.courses[COURSE]
    template = course.templates.find(Purpose.reminder, "es")
    assert template is not None and template.name == "academy_daily_reminder"
    for user in users:
        sent = only(user)
        assert (sent.template, sent.payload["language"]) == (template.name, {"code": "es_MX"})
        body, button = sent.payload["components"]
        assert [p["text"] for p in body["parameters"]] == [user.name]
        assert button["parameters"] == [{"type": "payload", "payload": OpenLesson().pack()}]

    beto_on_phone = users[1]
    await beto_on_phone.tap_template(template.button, OpenLesson().pack(), only(beto_on_phone))
    await idle(live)
    (lesson,) = beto_on_phone.messages()[1:]
    first = course.lesson(course.lessons[0], "es")
    assert f"📖 Lección 1/{len(course.lessons)} · {first.title}" in lesson.text
