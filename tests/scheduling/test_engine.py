"""The delivery engine end to end: announcement fan-out, failures, retries, lease recovery."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from bot.db.models import Announcement, Delivery, Person
from bot.i18n import Translator
from bot.scheduling import announcements, store
from tests.scheduling.conftest import Rig


async def announce(rig: Rig, cohort_id: int, text: str) -> Announcement:
    async with rig.runtime.sessions() as session:
        announcement = Announcement(cohort_id=cohort_id, author_id=rig.lecturer.id, text=text)
        session.add(announcement)
        await session.flush()
        await announcements.schedule(session, announcement, rig.clock.now)
        await session.commit()
    return announcement


async def deliveries(rig: Rig) -> list[Delivery]:
    async with rig.runtime.sessions() as session:
        return list(await session.exec(select(Delivery)))


async def test_an_announcement_reaches_every_member_once_and_the_author_gets_counts(
    rig: Rig,
) -> None:
    cohort, people = await rig.class_of(25)
    async with rig.runtime.sessions() as session:  # one trainee reads Chinese
        chinese = await session.get(Person, people[7].id)
        chinese.language = "zh"
        await session.commit()
    await announce(rig, cohort.id, "Live session tonight at 8 ✨")
    report = await rig.engine.tick()
    assert report.outcomes == {"sent": 25}
    for person in people:
        texts = [m.text for m in rig.fake.messages(int(person.channel_user_id))]
        # In each trainee's language, with the lecturer and the class on top.
        language = "zh" if person.id == chinese.id else "es"
        header = Translator(language)("announce.header", lecturer="Lecturer", cohort="Peaches")
        assert texts == [f"{header}\nLive session tonight at 8 ✨"]
    await rig.engine.tick()  # the reporter sees everything final and tells the author
    (counts,) = rig.fake.messages(int(rig.lecturer.channel_user_id))
    assert counts.text == Translator("en")("announce.report", sent=25, failed=0, blocked=0)
    assert (await rig.engine.tick()).claimed == 0  # nothing is ever sent twice


async def test_blocked_missing_and_flooded_chats(rig: Rig) -> None:
    cohort, people = await rig.class_of(6)
    blocked, missing, flooded = people[0], people[1], people[2]
    rig.fake.block(int(blocked.channel_user_id))
    rig.fake._users.pop(int(missing.channel_user_id))  # Telegram answers "chat not found"
    rig.fake.fail_next(
        "sendMessage", status=429, retry_after=7, times=5, chat_id=int(flooded.channel_user_id)
    )
    await announce(rig, cohort.id, "Hello")
    report = await rig.engine.tick()
    assert report.outcomes == {"sent": 3, "blocked": 1, "failed": 1, "pending": 1}
    async with rig.runtime.sessions() as session:
        stored = await session.get(Person, blocked.id)
        assert stored.blocked is True
        waiting = (await session.exec(select(Delivery).where(Delivery.status == "pending"))).one()
    assert waiting.person_id == flooded.id
    assert (waiting.due_at - rig.clock.now).total_seconds() == 7  # Telegram's retry_after
    assert (await rig.engine.tick()).claimed == 0  # not before its time
    rig.clock.advance(seconds=8)
    assert (await rig.engine.tick()).outcomes == {"sent": 1}
    assert [m.text for m in rig.fake.messages(int(flooded.channel_user_id))] == [
        "📣 Lecturer · Grupo Peaches\nHello"
    ]
    await rig.engine.tick()
    (counts,) = rig.fake.messages(int(rig.lecturer.channel_user_id))
    assert counts.text == Translator("en")("announce.report", sent=4, failed=1, blocked=1)


async def test_a_long_error_from_telegram_is_cut_to_fit_and_the_outcome_kept(rig: Rig) -> None:
    """`last_error` holds 500 characters: PostgreSQL refuses more (SQLite stores anything), so a
    longer description from Telegram must be cut, not turn the outcome into an internal error."""
    cohort, people = await rig.class_of(2)
    blocked, flooded = (int(p.channel_user_id) for p in people)
    rig.fake.fail_next(
        "sendMessage", status=403, description="Forbidden: " + "x" * 700, chat_id=blocked
    )
    rig.fake.fail_next(
        "sendMessage",
        status=429,
        retry_after=7,
        times=5,
        description="Too Many Requests: " + "y" * 700,
        chat_id=flooded,
    )
    await announce(rig, cohort.id, "Hello")
    assert (await rig.engine.tick()).outcomes == {"blocked": 1, "pending": 1}
    rows = [d for d in await deliveries(rig) if d.kind == "announcement"]
    assert sorted((d.status, len(d.last_error or "")) for d in rows) == [
        ("blocked", 500),
        ("pending", 500),
    ]
    async with rig.runtime.sessions() as session:
        assert (await session.get(Person, people[0].id)).blocked is True


async def test_rows_of_a_crashed_sender_go_out_after_their_lease(rig: Rig) -> None:
    cohort, people = await rig.class_of(10)
    await announce(rig, cohort.id, "Hi")
    async with rig.runtime.sessions() as session:  # a sender takes them, then dies
        taken = await store.claim(session, rig.clock.now, limit=100, lease=rig.engine.lease)
    assert len(taken) == 10
    assert (await rig.engine.tick()).claimed == 0  # still leased to the dead sender
    rig.clock.now += rig.engine.lease
    rig.clock.advance(seconds=1)
    assert (await rig.engine.tick()).outcomes == {"sent": 10}
    sent = Counter(m.chat_id for p in people for m in rig.fake.messages(int(p.channel_user_id)))
    assert set(sent.values()) == {1}


async def test_transient_errors_back_off_then_give_up(rig: Rig) -> None:
    cohort, people = await rig.class_of(1)
    chat = int(people[0].channel_user_id)
    rig.fake.fail_next("sendMessage", status=500, times=100, chat_id=chat)
    await announce(rig, cohort.id, "Hi")
    waits = []
    for _ in range(10):
        await rig.engine.tick()
        (row,) = [d for d in await deliveries(rig) if d.kind == "announcement"]
        if row.status != "pending":
            break
        waits.append((row.due_at - rig.clock.now).total_seconds())
        rig.clock.now = row.due_at
    assert row.status == "failed" and row.attempts == 6
    assert waits == [30, 60, 120, 240, 480]  # doubling backoff between attempts
    assert "500" in (row.last_error or "") or "Internal" in (row.last_error or "")
