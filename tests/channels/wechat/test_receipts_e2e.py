"""What became of WeChat template messages, end to end over real HTTP: an announcement to a class
where half the trainees are outside their 48 hours goes to those as templates (their msgids
recorded by the delivery engine), WeChat posts a TEMPLATESENDJOBFINISH for each (the poster),
and the lecturer's report, the class's statistics and the receipts say who has it and who
refused the account's messages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.channels.wechat.convert import USER_BLOCK
from bot.channels.wechat.updates import LATE_REPORTS_AFTER
from bot.db.models import Announcement, Delivery, DeliveryKind, MessageReceipt, ReceiptStatus
from bot.db.receipts import ReceiptCounts, announcement_receipts, record_sent
from bot.i18n import Translator
from bot.scheduling import announcements
from bot.stats.queries import cohort_stats
from tests.channels.wechat.conftest import LiveWeChat, running_wechat, wechat_settings
from tests.channels.wechat.test_scheduled_e2e import (
    CONTENT,
    COURSE,
    Clock,
    Rig,
    a_class_of,
    tick_until_idle,
)
from tests.channels.whatsapp.conftest import free_port
from tests.fakes.outage import DatabaseOutage
from tests.fakes.wechat_api import FakeWeChatAPI

zh = Translator("zh")
ANNOUNCEMENT = "今晚八点直播课"


@pytest.fixture
async def rig(fake_wechat: FakeWeChatAPI, database_url: str) -> AsyncIterator[Rig]:
    """The channel with the starter course, its delivery engine ticked by hand on a clock the
    test moves (the fake's window follows it)."""
    port = free_port()
    settings = wechat_settings(
        fake_wechat,
        database_url,
        webhook_port=port,
        public_url=f"http://127.0.0.1:{port}",
        content_dir=CONTENT,
        default_course=COURSE,
    )
    async with running_wechat(fake_wechat, settings) as live:
        clock = Clock()
        live.runtime.academy.services.clock = clock
        fake_wechat.clock = lambda: clock.now.timestamp()
        yield Rig(live, clock, settings.public_url)


async def receipts(live: LiveWeChat) -> dict[str, MessageReceipt]:
    async with live.runtime.sessions() as session:
        rows = await session.exec(select(MessageReceipt).where(MessageReceipt.channel == "wechat"))
        return {row.message_ref: row for row in rows}


async def finished(live: LiveWeChat, openid: str, msgid: int, status: str) -> None:
    """WeChat posts what became of template `msgid`; the bot answers nobody for it."""
    assert await live.post(openid, live.poster.template_finished(openid, msgid, status), "") == []


async def test_job_finish_events_count_templates_delivered_or_refused(rig: Rig) -> None:
    live, fake = rig.live, rig.live.fake
    group = await a_class_of(rig, 10)
    async with live.runtime.sessions() as session:
        announcement = Announcement(
            cohort_id=group.cohort.id, author_id=group.lecturer.id, text=ANNOUNCEMENT
        )
        session.add(announcement)
        await session.flush()
        assert await announcements.schedule(session, announcement, rig.clock.now) == 10
        await session.commit()
    assert await tick_until_idle(live) == {"sent": 11}  # ten trainees, then the report

    # Templates went to the five outside their window, each recorded by its msgid for its
    # delivery; the customer-service texts inside it have no msgid (custom/send gives none).
    templates = {t.openid: t for t in fake.templates}
    assert sorted(templates) == sorted(group.outside)
    recorded = await receipts(live)
    assert sorted(recorded) == sorted(str(t.msgid) for t in templates.values())
    assert {row.status for row in recorded.values()} == {ReceiptStatus.sent}
    async with live.runtime.sessions() as session:
        for openid, template in templates.items():
            delivery = await session.get(Delivery, recorded[str(template.msgid)].delivery_id)
            assert delivery is not None and delivery.kind is DeliveryKind.announcement
            assert delivery.person_id == (await live.person(openid)).id
    ref = announcements.ref_of(announcement)
    report = fake.messages("oTeacher")[-1]
    assert zh("announce.receipts_wechat", tracked=5, delivered=0, failed=0) in report.text

    # Three reach the phone, one person refuses the account's messages, WeChat fails one.
    one, two, three, blocking, lost = group.outside
    for openid in (one, two, three):
        await finished(live, openid, templates[openid].msgid, "success")
    await finished(live, blocking, templates[blocking].msgid, "failed:user block")
    await finished(live, lost, templates[lost].msgid, "failed: system failed")
    again = live.poster.template_finished(one, templates[one].msgid, "success")
    assert await live.post(one, again, "") == []  # WeChat's retry of a call changes nothing

    recorded = await receipts(live)
    by_person = {openid: recorded[str(t.msgid)] for openid, t in templates.items()}
    assert [by_person[p].status for p in (one, two, three)] == [ReceiptStatus.delivered] * 3
    assert all(by_person[p].delivered_at is not None for p in (one, two, three))
    refused = by_person[blocking]
    assert (refused.status, refused.error_code) == (ReceiptStatus.failed, USER_BLOCK)
    assert refused.failed_at is not None and refused.delivered_at is None
    assert (by_person[lost].status, by_person[lost].error_code) == (ReceiptStatus.failed, None)
    async with live.runtime.sessions() as session:
        counts = await announcement_receipts(session, ref)
    assert counts == ReceiptCounts(tracked=5, delivered=3, read=0, failed=2)
    people = [await live.person(openid) for openid in group.outside]
    assert not any(person.blocked for person in people)  # they may write again

    # The lecturer taps "🔄" under her report: the counts as they are now.
    (now_report,) = await live.tap("oTeacher", report, zh("announce.counts_again"))
    assert now_report.text.startswith(zh("announce.report", sent=10, failed=0, blocked=0))
    assert zh("announce.receipts_wechat", tracked=5, delivered=3, failed=2) in now_report.text

    # The class's statistics: five tracked messages, three reached the phone; a week on, the
    # two whose template never arrived (and nothing since) are unreachable.
    async with live.runtime.sessions() as session:
        courses = live.runtime.academy.services.courses
        today = await cohort_stats(session, courses, group.cohort.id, rig.clock.now, "zh")
        later = rig.clock.now + timedelta(days=8)
        week_on = await cohort_stats(session, courses, group.cohort.id, later, "zh")
    assert (today.reach.messages, today.reach.delivered, today.reach.unreachable) == (5, 3, 0)
    assert (week_on.reach.delivered, week_on.reach.unreachable) == (3, 2)


async def test_a_report_overtaking_its_msgids_record_is_applied_a_little_later(rig: Rig) -> None:
    """WeChat can post the job-finish before the engine's commit records the msgid: the report
    is tried once more LATE_REPORTS_AFTER seconds on, and counts then."""
    live = rig.live
    group = await a_class_of(rig, 2)
    person = await live.person(group.outside[0])
    updates = live.channel.updates
    assert updates is not None
    waited: list[float] = []

    async def meanwhile_the_engine_commits(seconds: float) -> None:
        waited.append(seconds)
        async with live.runtime.sessions() as session:
            assert person.id is not None
            await record_sent(session, "wechat", ["777001"], person.id, rig.clock.now)
            await session.commit()

    updates.sleep = meanwhile_the_engine_commits
    await finished(live, person.channel_user_id, 777001, "success")
    assert waited == [LATE_REPORTS_AFTER]
    assert (await receipts(live))["777001"].status is ReceiptStatus.delivered

    # A report of a msgid never recorded (sent by another tool) is dropped after that one try.
    await finished(live, person.channel_user_id, 777002, "success")
    assert "777002" not in await receipts(live) and len(waited) == 2


async def test_reports_wait_for_the_database(fake_wechat: FakeWeChatAPI, database_url: str) -> None:
    """While the database is away a job-finish report is tried again, and applied once back."""
    outage = DatabaseOutage(database_url)
    settings = wechat_settings(fake_wechat, await outage.start())
    async with running_wechat(fake_wechat, settings) as live:
        outage.watch(live.runtime.engine)
        updates = live.channel.updates
        assert updates is not None
        await live.event("oLi", "subscribe")
        person = await live.person("oLi")
        assert person.id is not None
        async with live.runtime.sessions() as session:
            await record_sent(session, "wechat", ["5150"], person.id, person.created_at)
            await session.commit()
        tries = asyncio.Event()

        async def pause(_seconds: float) -> None:  # no real backoff
            tries.set()
            await asyncio.sleep(0.01)

        updates.sleep = pause
        await outage.cut()
        answer = await live.poster.post(live.poster.template_finished("oLi", 5150, "success"))
        assert (answer.status, answer.text) == (200, "success")  # at once, all the same
        await asyncio.wait_for(tries.wait(), 10)
        await outage.restore()
        await live.idle()
        async with live.runtime.sessions() as session:
            row = (
                await session.exec(
                    select(MessageReceipt).where(col(MessageReceipt.message_ref) == "5150")
                )
            ).one()
        assert row.status is ReceiptStatus.delivered and row.delivered_at is not None
        assert fake_wechat.messages("oLi")[1:] == []  # nobody told anything for a report
    await outage.stop()
