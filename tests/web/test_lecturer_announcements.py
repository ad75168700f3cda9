"""Announcements on the web: write, preview as a trainee sees it, schedule at a time the chat
offers, the delivery engine takes it to the trainees on their channel, and the list shows the
chat's delivery report; calling off, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.db.models import Announcement, AnnouncementStatus, Delivery
from bot.i18n import Translator
from tests.web.conftest import DashboardSite
from tests.web.lecturer import Lecturer, Recorder, engine_of, lecturer_with_class

en = Translator("en")


async def announcements_of(lecturer: Lecturer) -> list[Announcement]:
    async with lecturer.site.runtime.sessions() as session:
        found = await session.exec(
            select(Announcement).where(Announcement.cohort_id == lecturer.class_id)
        )
        return list(found)


async def deliveries_of(lecturer: Lecturer, announcement: Announcement) -> list[Delivery]:
    async with lecturer.site.runtime.sessions() as session:
        found = await session.exec(select(Delivery).where(Delivery.ref == f"ann:{announcement.id}"))
        return list(found)


async def write(lecturer: Lecturer, text: str) -> str:
    """Write `text` on the announcements page; the preview page's path."""
    page = lecturer.base + "/announcements"
    await lecturer.browser.get(page)
    written = await lecturer.browser.post(page, {"text": text})
    assert written.status == 303, written.text
    return written.location


async def test_scheduled_on_the_web_it_reaches_the_trainees_and_the_report_shows(
    dashboard: DashboardSite,
) -> None:
    lecturer = await lecturer_with_class(dashboard)
    text = "Market day is <Saturday> & bring photos"
    preview_path = await write(lecturer, text)
    preview = await lecturer.browser.get(preview_path)
    assert preview.status == 200
    assert preview.shows(en("announce.preview", count=2, name="Peaches"))
    assert preview.shows(text) and "<Saturday>" not in preview.text
    # Exactly what a trainee gets: who wrote it to which class, then the text.
    assert preview.shows(f"{en('announce.header', lecturer='Li Na', cohort='Peaches')}\n{text}")
    # Monday 17:00 in Shanghai: now, this evening at 19:00, tomorrow at 09:00 (as the chat).
    for label in ("Send now", "Today at 19:00", "Tomorrow at 09:00"):
        assert preview.shows(label), label
    (draft,) = await announcements_of(lecturer)
    assert draft.status == AnnouncementStatus.draft
    scheduled = await lecturer.browser.post(preview_path, {"action": "send", "when": "eve"})
    assert scheduled.status == 303
    (announcement,) = await announcements_of(lecturer)
    evening = datetime(2026, 5, 4, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai
    assert announcement.status == AnnouncementStatus.scheduled
    assert announcement.send_at == evening
    assert {d.due_at for d in await deliveries_of(lecturer, announcement)} == {evening}
    listed = await lecturer.browser.get(scheduled.location)
    date_text = "Monday, May 4, 2026"
    assert listed.shows(en("announce.scheduled", count=2, date=date_text, time="19:00"))
    assert listed.shows(en("web.ann_status_scheduled")) and listed.shows(text)

    recorder = Recorder()
    engine = engine_of(dashboard.runtime, recorder)
    await engine.tick()
    assert recorder.sent == []  # not before its time
    dashboard.clock[0] = evening
    await engine.tick()
    await engine.tick()  # the reporter sees every delivery final and tells the author
    for member in ("Peaches-member-0", "Peaches-member-1"):
        got = [t for t in recorder.texts_to(member) if t.endswith(text)]
        assert got == [f"{en('announce.header', lecturer='Li Na', cohort='Peaches')}\n{text}"]
    report = en("announce.report", sent=2, failed=0, blocked=0)
    assert any(report in got for got in recorder.texts_to("lec"))
    page = await lecturer.browser.get(lecturer.base + "/announcements")
    assert page.shows(report) and page.shows(en("web.ann_status_done"))
    assert not page.shows(en("announce.call_off"))
    await lecturer.close()


async def test_sending_now_and_calling_off_a_scheduled_one(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard)
    later = await write(lecturer, "Tomorrow's lesson moves")
    await lecturer.browser.get(later)
    await lecturer.browser.post(later, {"action": "send", "when": "morn"})
    (announcement,) = await announcements_of(lecturer)
    page = await lecturer.browser.get(lecturer.base + "/announcements")
    assert page.shows(en("announce.call_off"))
    called = await lecturer.browser.post(
        f"{lecturer.base}/announcements/{announcement.id}", {"action": "call_off"}
    )
    (announcement,) = await announcements_of(lecturer)
    assert announcement.status == AnnouncementStatus.cancelled
    assert {d.status for d in await deliveries_of(lecturer, announcement)} == {"cancelled"}
    assert (await lecturer.browser.get(called.location)).shows(en("announce.called_off"))

    now = await write(lecturer, "Rain today: stay home")
    await lecturer.browser.get(now)
    sent = await lecturer.browser.post(now, {"action": "send", "when": "now"})
    assert (await lecturer.browser.get(sent.location)).shows(en("announce.sending", count=2))
    recorder = Recorder()
    await engine_of(dashboard.runtime, recorder).tick()
    got = recorder.texts_to("Peaches-member-0")
    assert [t for t in got if t.endswith("Rain today: stay home")] != []
    await lecturer.close()


async def test_what_is_refused(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard)
    page = lecturer.base + "/announcements"
    form = await lecturer.browser.get(page)
    assert 'maxlength="4000"' in form.text and form.shows(en("web.ann_limit", limit=4000))
    too_long = await lecturer.browser.post(page, {"text": "x" * 4001})
    assert too_long.location.endswith("?problem=long")
    assert (await lecturer.browser.get(too_long.location)).shows(
        en("announce.too_long", limit=4000)
    )
    assert (await lecturer.browser.post(page, {"text": "  "})).location.endswith("?problem=empty")
    assert (await lecturer.browser.post(page, {"text": "Hi"}, csrf="")).status == 403
    assert await announcements_of(lecturer) == []
    preview = await write(lecturer, "Hello")
    await lecturer.browser.get(preview)
    dropped = await lecturer.browser.post(preview, {"action": "drop"})
    assert dropped.status == 303
    (announcement,) = await announcements_of(lecturer)
    assert announcement.status == AnnouncementStatus.cancelled
    assert await deliveries_of(lecturer, announcement) == []
    # A dropped one cannot be sent afterwards (an old tab).
    await lecturer.browser.post(preview, {"action": "send", "when": "now"})
    assert await deliveries_of(lecturer, announcement) == []
    await lecturer.close()


async def test_a_class_without_members_gets_no_announcement(dashboard: DashboardSite) -> None:
    lecturer = await lecturer_with_class(dashboard, members=0)
    page = lecturer.base + "/announcements"
    await lecturer.browser.get(page)
    refused = await lecturer.browser.post(page, {"text": "Hello"})
    assert refused.location.endswith("?problem=members")
    shown = await lecturer.browser.get(refused.location)
    assert shown.shows(en("announce.no_members", name="Peaches"))
    await lecturer.close()
