"""Announcements in the chat: button -> typed text or photo -> preview -> when -> delivery rows,
the counts back to the author, dropping and calling off, and refusals that change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.core.messages import Incoming, Kind, Reply
from bot.db.models import Announcement, Delivery, MessageReceipt, Person, ReceiptStatus
from bot.db.receipts import Receipt, apply_receipts
from bot.handlers import announce
from bot.handlers import plans as plan_handlers
from bot.handlers.announce import send_options
from bot.i18n import Translator
from bot.localtime import QuietHours
from bot.runtime import Runtime
from bot.scheduling import announcements
from bot.scheduling.engine import DeliveryEngine
from bot.scheduling.transport import Outcome, Result
from tests.conftest import FixedClock, Trainee, make_settings, migrated_runtime
from tests.handlers.test_cohorts import a_class, fetch, make_lecturer, new_class

en = Translator("en")
QUIET = QuietHours.parse("21:00-08:00")


@pytest.fixture
async def school(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await migrated_runtime(make_settings(database_url, admin_ids="test:boss"))
    runtime.academy.services.clock = FixedClock()  # Monday 2026-05-04 09:00 UTC, 17:00 in Shanghai
    runtime.academy.router.include(plan_handlers.router, announce.router)
    try:
        yield runtime
    finally:
        await runtime.close()


class Recorder:
    """The console-like channel of the scripted people: every message is kept, all arrive."""

    channel = "test"

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    async def send(self, person: Person, reply: Reply) -> Outcome:
        self.sent.append((person.channel_user_id, reply))
        return Outcome.ok()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def handle(who: Trainee, incoming: Incoming) -> list[Reply]:
    async with who.runtime.sessions() as session:
        who.last = await who.runtime.academy.handle(incoming, session)
    return who.last


async def awaiting_of(school: Runtime, user_id: str) -> str | None:
    (found,) = await fetch(school, Person, Person.channel_user_id == user_id)
    return found.awaiting


async def rows_of(school: Runtime, announcement_id: int) -> list[tuple[str, str, datetime]]:
    found = await fetch(school, Delivery, Delivery.ref == f"ann:{announcement_id}")
    people = {p.id: p.channel_user_id for p in await fetch(school, Person)}
    return sorted((people[d.person_id], d.status, d.due_at) for d in found)


def test_the_times_offered_respect_the_evening_and_quiet_hours() -> None:
    tz = "Asia/Shanghai"
    afternoon = utc(2026, 5, 4, 9)  # 17:00 there
    assert send_options(afternoon, tz, QUIET) == {
        "now": afternoon,
        "eve": utc(2026, 5, 4, 11),
        "morn": utc(2026, 5, 5, 1),
    }
    late = utc(2026, 5, 4, 12)  # 20:00: this evening's 19:00 has passed
    assert send_options(late, tz, QUIET)["eve"] == utc(2026, 5, 5, 11)
    night = utc(2026, 5, 4, 15)  # 23:00: "now" waits for 08:00
    assert send_options(night, tz, QUIET)["now"] == utc(2026, 5, 5, 0)
    assert send_options(afternoon, tz, QuietHours.parse("18:00-08:00"))["eve"] == utc(2026, 5, 6, 0)


async def test_a_text_announcement_goes_to_every_member_and_the_counts_come_back(
    school: Runtime,
) -> None:
    lecturer, cohort, _ = await a_class(school)
    cid = cohort.id
    await lecturer.send("/cohorts")
    await lecturer.press("👥 Peaches")
    await lecturer.press(en("cohort.announce"))
    assert lecturer.texts == [en("announce.ask", name="Peaches")]
    assert await awaiting_of(school, "lec") == f"announce:{cid}"

    title, message = await lecturer.send("  Live session tonight at 8 ✨ ")
    assert title.text == en("announce.preview", count=2, name="Peaches")
    assert message.text == "Live session tonight at 8 ✨" and message.image is None
    labels = [b.label for row in message.buttons for b in row]
    assert labels == [
        en("announce.send_now"),
        en("announce.today_at", time="19:00"),
        en("announce.tomorrow_at", time="09:00"),
        en("announce.drop"),
    ]
    assert all(len(b.payload.encode()) <= 64 for row in message.buttons for b in row)
    assert await awaiting_of(school, "lec") is None
    (draft,) = await fetch(school, Announcement)
    assert (draft.status, draft.cohort_id, draft.text) == ("draft", cid, message.text)

    now = school.academy.services.clock.now
    send_now = Incoming.button(lecturer.sender, lecturer.button(en("announce.send_now")).payload)
    await handle(lecturer, send_now)
    assert lecturer.texts == [en("announce.sending", count=2)]
    assert await rows_of(school, draft.id) == [("ana", "pending", now), ("ben", "pending", now)]
    school.academy.services.clock.now = utc(2026, 5, 4, 9, 1)
    await handle(lecturer, send_now)  # the preview's button again: nothing more, and why
    sent_at = ("Monday, May 4, 2026", "17:00")  # in the class's zone
    assert lecturer.texts == [
        en("announce.already_sent_at", count=2, date=sent_at[0], time=sent_at[1])
    ]
    assert len(await rows_of(school, draft.id)) == 2
    school.academy.services.clock.now = now

    recorder = Recorder()
    engine = DeliveryEngine(
        school.sessions,
        school.academy.services,
        {"test": recorder},
        planners=[announcements.report_finished],
    )
    assert (await engine.tick()).outcomes == {"sent": 2}
    await engine.tick()  # the reporter sees everything final and tells the author
    sent = [(who, reply.text) for who, reply in recorder.sent]
    # Not bare text: who wrote it and to which class, one short line on top.
    arrived = f"{en('announce.header', lecturer='Li Na', cohort='Peaches')}\n{message.text}"
    assert arrived.startswith("📣 Li Na · Peaches")
    assert sorted(sent[:2]) == [("ana", arrived), ("ben", arrived)]
    assert sent[2:] == [("lec", en("announce.report", sent=2, failed=0, blocked=0))]


async def test_a_photo_announcement_for_tomorrow_can_be_called_off(school: Runtime) -> None:
    lecturer, cohort, _ = await a_class(school)
    cid = cohort.id
    await handle(lecturer, Incoming.button(lecturer.sender, f"ann:new:{cid}"))
    photo = Incoming(lecturer.sender, Kind.photo, text="New prices 🍑", file_ref="AgACphoto1")
    title, message = await handle(lecturer, photo)
    assert title.text == en("announce.preview", count=2, name="Peaches")
    assert message.text == "New prices 🍑" and message.image is not None
    assert message.image.ref == "AgACphoto1"
    (draft,) = await fetch(school, Announcement)
    assert draft.photo_ref == "AgACphoto1"

    tomorrow = lecturer.button(en("announce.tomorrow_at", time="09:00"))
    await lecturer.press(tomorrow.label)
    morning = utc(2026, 5, 5, 1)  # 09:00 in Shanghai
    date_text = "Tuesday, May 5, 2026"
    assert lecturer.texts == [en("announce.scheduled", count=2, date=date_text, time="09:00")]
    call_off = lecturer.last
    await handle(lecturer, Incoming.button(lecturer.sender, tomorrow.payload))  # a second tap
    assert lecturer.texts == [
        en("announce.already_scheduled", count=2, date=date_text, time="09:00")
    ]
    lecturer.last = call_off
    expected = [("ana", "pending", morning), ("ben", "pending", morning)]
    assert await rows_of(school, draft.id) == expected
    await lecturer.press(en("announce.call_off"))
    assert lecturer.texts == [en("announce.called_off")]
    assert {status for _, status, _ in await rows_of(school, draft.id)} == {"cancelled"}
    (stored,) = await fetch(school, Announcement)
    assert stored.status == "cancelled"

    # A photo alone is an announcement too; "Don't send" drops it, and nothing is queued.
    await handle(lecturer, Incoming.button(lecturer.sender, f"ann:new:{cid}"))
    _, alone = await handle(lecturer, Incoming(lecturer.sender, Kind.photo, file_ref="AgAC2"))
    assert alone.image is not None and alone.text == ""
    await lecturer.press(en("announce.drop"))
    assert lecturer.texts == [en("announce.not_sent")]
    stored = await fetch(school, Announcement, Announcement.photo_ref == "AgAC2")
    assert [a.status for a in stored] == ["cancelled"]
    assert len(await fetch(school, Delivery)) == 2


async def test_changing_ones_mind_before_writing(school: Runtime) -> None:
    lecturer, cohort, _ = await a_class(school)
    cid = cohort.id
    await handle(lecturer, Incoming.button(lecturer.sender, f"ann:new:{cid}"))
    await lecturer.press(en("announce.stop"))
    assert lecturer.texts == [en("announce.not_sent")]
    assert await awaiting_of(school, "lec") is None
    await lecturer.send("hello?")  # plain text again, not an announcement
    assert await fetch(school, Announcement) == []
    empty = await new_class(lecturer, "Empty")
    (reply,) = await handle(lecturer, Incoming.button(lecturer.sender, f"ann:new:{empty.id}"))
    assert reply.text == en("announce.no_members", name="Empty")
    assert await awaiting_of(school, "lec") is None


async def snapshot(runtime: Runtime) -> tuple:
    async with runtime.sessions() as session:
        found = await session.exec(select(Announcement).order_by(Announcement.id))
        notes = [(a.status, a.send_at, a.text) for a in found]
        count = (await session.exec(select(func.count()).select_from(Delivery))).one()
        waiting = sorted(
            (p.channel_user_id, p.awaiting) for p in await session.exec(select(Person))
        )
    return notes, count, waiting


async def test_announcement_actions_are_refused_to_trainees_and_other_lecturers(
    school: Runtime,
) -> None:
    lecturer, cohort, (ana, *_) = await a_class(school)
    cid = cohort.id
    rival = await make_lecturer(school, "rival", "Rival")
    await handle(lecturer, Incoming.button(lecturer.sender, f"ann:new:{cid}"))
    await lecturer.send("Draft for the class")
    (draft,) = await fetch(school, Announcement)
    payloads = [f"ann:new:{cid}", f"ann:stop:{cid}"] + [
        f"ann:{action}:{cid}:{draft.id}{arg}"
        for action, arg in (
            ("send", ":now"),
            ("send", ":eve"),
            ("drop", ""),
            ("off", ""),
            ("seen", ""),
        )
    ]
    for who in (ana, rival):
        for payload in payloads:
            before = await snapshot(school)
            replies = await handle(who, Incoming.button(who.sender, payload))
            assert [r.text for r in replies] == [en("access.denied")], (who.sender.user_id, payload)
            assert await snapshot(school) == before, (who.sender.user_id, payload)

    # Even with a forged question pending, typed text does not reach another class.
    async with school.sessions() as session:
        found = await session.exec(select(Person).where(Person.channel_user_id == "rival"))
        stored = found.one()
        stored.awaiting = f"announce:{cid}"
        session.add(stored)
        await session.commit()
    before = await snapshot(school)
    assert [r.text for r in await rival.send("Sneaky")] == [en("access.denied")]
    after = await snapshot(school)
    assert after[:2] == before[:2]  # no announcement, no delivery
    assert await awaiting_of(school, "rival") is None


class HalfOnWhatsApp(Recorder):
    """Ana's messages come back with message ids, as WhatsApp's do; the others' with none, as
    Telegram's."""

    async def send(self, person: Person, reply: Reply) -> Outcome:
        await super().send(person, reply)
        if person.channel_user_id != "ana":
            return Outcome.ok()
        # Numbered among Ana's own: the class's messages go out in no particular order.
        anas = sum(1 for who, _ in self.sent if who == "ana")
        return Outcome(Result.sent, message_refs=(f"wamid.{anas}",))


async def test_the_author_sees_delivered_and_read_counts_now_and_later(school: Runtime) -> None:
    lecturer, cohort, _ = await a_class(school)
    now = school.academy.services.clock.now
    (author,) = await fetch(school, Person, Person.channel_user_id == "lec")
    async with school.sessions() as session:
        draft = Announcement(cohort_id=cohort.id, author_id=author.id, text="Market day moved")
        session.add(draft)
        await session.flush()
        await announcements.schedule(session, draft, now)
        await session.commit()
    recorder = HalfOnWhatsApp()
    engine = DeliveryEngine(
        school.sessions,
        school.academy.services,
        {"test": recorder},
        planners=[announcements.report_finished],
    )
    assert (await engine.tick()).outcomes == {"sent": 2}
    (receipt,) = await fetch(school, MessageReceipt)
    (ana,) = await fetch(school, Person, Person.channel_user_id == "ana")
    (anas,) = await fetch(school, Delivery, Delivery.person_id == ana.id)
    assert (receipt.message_ref, receipt.person_id) == ("wamid.1", ana.id)
    assert (receipt.delivery_id, receipt.status, receipt.sent_at) == (anas.id, "sent", now)

    await engine.tick()  # the report, while nothing has been delivered yet
    who, report = recorder.sent[-1]
    sent = en("announce.report", sent=2, failed=0, blocked=0)
    assert who == "lec"
    assert report.text == sent + "\n" + en("announce.receipts", tracked=1, delivered=0, read=0)
    (again,) = [b for row in report.buttons for b in row]
    assert again.label == en("announce.counts_again")

    async with school.sessions() as session:  # Ana read it: the webhook comes an hour later
        read = Receipt("wamid.1", ReceiptStatus.read, utc(2026, 5, 4, 10))
        await apply_receipts(session, "test", [read])
        await session.commit()
    (counts,) = await handle(lecturer, Incoming.button(lecturer.sender, again.payload))
    assert counts.edit  # the report itself shows the new counts
    assert counts.text == sent + "\n" + en("announce.receipts", tracked=1, delivered=1, read=1)
    assert counts.buttons == report.buttons
    # The preview's button, tapped again, says the same.
    send_now = f"ann:send:{cohort.id}:{draft.id}:now"
    (said,) = await handle(lecturer, Incoming.button(lecturer.sender, send_now))
    assert said.text.endswith("\n" + en("announce.receipts", tracked=1, delivered=1, read=1))


async def test_with_no_one_on_whatsapp_the_report_has_no_receipts_or_button(
    school: Runtime,
) -> None:
    lecturer, cohort, _ = await a_class(school)
    (author,) = await fetch(school, Person, Person.channel_user_id == "lec")
    async with school.sessions() as session:
        draft = Announcement(cohort_id=cohort.id, author_id=author.id, text="Hello")
        session.add(draft)
        await session.flush()
        await announcements.schedule(session, draft, school.academy.services.clock.now)
        await session.commit()
    recorder = Recorder()
    engine = DeliveryEngine(
        school.sessions,
        school.academy.services,
        {"test": recorder},
        planners=[announcements.report_finished],
    )
    await engine.tick()
    await engine.tick()
    who, report = recorder.sent[-1]
    assert (who, report.text, report.buttons) == (
        "lec",
        en("announce.report", sent=2, failed=0, blocked=0),
        (),
    )
    # Its counts button, forged, still answers (with the counts, no receipts line).
    seen = f"ann:seen:{cohort.id}:{draft.id}"
    (counts,) = await handle(lecturer, Incoming.button(lecturer.sender, seen))
    assert counts.text == report.text
