"""Receipts of sent messages: recording what was sent, folding in status reports whatever their
order and however often they come, and counting an announcement's receipts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.db.models import Delivery, DeliveryKind, DeliveryStatus, MessageReceipt, Person
from bot.db.models import ReceiptStatus as S
from bot.db.receipts import (
    Receipt,
    ReceiptCounts,
    announcement_receipts,
    announcement_receipts_by_channel,
    apply_receipts,
    prune,
    record_sent,
)
from bot.runtime import Runtime

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WA = "whatsapp"


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


async def someone(runtime: Runtime, user_id: str = "521") -> int:
    async with runtime.sessions() as session:
        person = Person(channel=WA, channel_user_id=user_id, language="es")
        session.add(person)
        await session.commit()
        assert person.id is not None
        return person.id


async def sent(
    runtime: Runtime, person_id: int, *refs: str, delivery_id: int | None = None
) -> None:
    async with runtime.sessions() as session:
        await record_sent(session, WA, refs, person_id, NOW, delivery_id=delivery_id)
        await session.commit()


async def apply(runtime: Runtime, *receipts: Receipt) -> int:
    async with runtime.sessions() as session:
        changed = await apply_receipts(session, WA, receipts)
        await session.commit()
        return changed


async def row(runtime: Runtime, ref: str) -> MessageReceipt:
    async with runtime.sessions() as session:
        found = await session.get(MessageReceipt, (WA, ref))
        assert found is not None
        return found


async def test_a_message_goes_from_sent_to_delivered_to_read(runtime: Runtime) -> None:
    pid = await someone(runtime)
    await sent(runtime, pid, "wamid.A")
    fresh = await row(runtime, "wamid.A")
    assert (fresh.status, fresh.sent_at, fresh.person_id) == (S.sent, NOW, pid)
    assert await apply(runtime, Receipt("wamid.A", S.sent, at(0))) == 0  # nothing new
    assert await apply(runtime, Receipt("wamid.A", S.delivered, at(1))) == 1
    assert await apply(runtime, Receipt("wamid.A", S.read, at(5))) == 1
    done = await row(runtime, "wamid.A")
    assert (done.status, done.delivered_at, done.read_at) == (S.read, at(1), at(5))
    assert done.failed_at is None and done.error_code is None


async def test_reports_out_of_order_end_the_same(runtime: Runtime) -> None:
    pid = await someone(runtime)
    await sent(runtime, pid, "wamid.B", "wamid.C")
    # B: "read" comes before "delivered" (two webhook posts overtaking each other).
    assert await apply(runtime, Receipt("wamid.B", S.read, at(5))) == 1
    assert await apply(runtime, Receipt("wamid.B", S.delivered, at(1))) == 1  # an earlier moment
    assert await apply(runtime, Receipt("wamid.B", S.sent, at(0))) == 0
    # C: all three in one batch, last first.
    batch = [Receipt("wamid.C", s, at(n)) for n, s in ((5, S.read), (1, S.delivered), (0, S.sent))]
    assert await apply(runtime, *batch) == 1
    for ref in ("wamid.B", "wamid.C"):
        done = await row(runtime, ref)
        assert done.status == S.read
        assert done.read_at == at(5)
        assert done.delivered_at == at(1)


async def test_duplicated_reports_change_nothing_the_second_time(runtime: Runtime) -> None:
    pid = await someone(runtime)
    await sent(runtime, pid, "wamid.D")
    report = Receipt("wamid.D", S.delivered, at(2))
    assert await apply(runtime, report, report) == 1
    assert await apply(runtime, report) == 0
    late_copy = Receipt("wamid.D", S.delivered, at(9))  # Meta redelivers with the same moment,
    assert await apply(runtime, late_copy) == 0  # but a later one must not move it either
    assert (await row(runtime, "wamid.D")).delivered_at == at(2)
    await sent(runtime, pid, "wamid.D")  # recording it again keeps what came
    assert (await row(runtime, "wamid.D")).status == S.delivered


async def test_reports_of_unknown_messages_are_ignored(runtime: Runtime) -> None:
    pid = await someone(runtime)
    await sent(runtime, pid, "wamid.E")
    changed = await apply(
        runtime,
        Receipt("wamid.nobody", S.read, at(3)),
        Receipt("wamid.E", S.delivered, at(1)),
    )
    assert changed == 1
    async with runtime.sessions() as session:
        refs = list(await session.exec(select(MessageReceipt.message_ref)))
    assert refs == ["wamid.E"]
    assert await apply(runtime) == 0
    async with runtime.sessions() as session:  # another channel's message of the same ref
        assert await apply_receipts(session, "telegram", [Receipt("wamid.E", S.read, at(4))]) == 0


async def test_a_failure_keeps_its_code_and_wins_over_sent(runtime: Runtime) -> None:
    pid = await someone(runtime)
    await sent(runtime, pid, "wamid.F", "wamid.G")
    assert await apply(runtime, Receipt("wamid.F", S.failed, at(1), error_code=131026)) == 1
    assert await apply(runtime, Receipt("wamid.F", S.failed, at(2))) == 0  # a copy with no code
    await sent(runtime, pid, "wamid.I")
    assert await apply(runtime, Receipt("wamid.I", S.failed, at(1))) == 1
    assert await apply(runtime, Receipt("wamid.I", S.failed, at(1), error_code=131049)) == 1
    assert (await row(runtime, "wamid.I")).error_code == 131049  # the code, once one came
    assert await apply(runtime, Receipt("wamid.F", S.sent, at(0))) == 0
    failed = await row(runtime, "wamid.F")
    assert (failed.status, failed.failed_at, failed.error_code) == (S.failed, at(1), 131026)
    assert failed.delivered_at is None
    # A read that arrives only now, before any delivered: it reached the phone when it was read.
    await sent(runtime, pid, "wamid.H")
    await apply(runtime, Receipt("wamid.H", S.read, at(4)))
    assert (await row(runtime, "wamid.H")).delivered_at == at(4)
    # Delivered, then a failure (Meta does not do this, but a report must never be lost): the
    # message did reach the phone, and its status says how far it got last.
    await apply(runtime, Receipt("wamid.G", S.delivered, at(1)))
    await apply(runtime, Receipt("wamid.G", S.failed, at(2), error_code=131000))
    both = await row(runtime, "wamid.G")
    assert (both.status, both.delivered_at, both.error_code) == (S.failed, at(1), 131000)


async def test_an_overlong_ref_is_cut_to_the_column_both_ways(runtime: Runtime) -> None:
    pid = await someone(runtime)
    long_ref = "wamid." + "x" * 200
    await sent(runtime, pid, long_ref, "")  # an empty ref is no message
    assert await apply(runtime, Receipt(long_ref, S.delivered, at(1))) == 1
    async with runtime.sessions() as session:
        (stored,) = await session.exec(select(MessageReceipt))
    assert stored.message_ref == long_ref[:128] and stored.delivered_at == at(1)


async def test_an_announcements_receipts_count_people_not_messages(runtime: Runtime) -> None:
    people = [await someone(runtime, str(n)) for n in range(4)]
    async with runtime.sessions() as session:
        rows = [
            Delivery(
                person_id=pid,
                kind=DeliveryKind.announcement,
                ref="ann:7",
                due_at=NOW,
                status=DeliveryStatus.sent,
            )
            for pid in people
        ]
        other = Delivery(person_id=people[0], kind=DeliveryKind.lesson, ref="ann:7", due_at=NOW)
        session.add_all([*rows, other])
        await session.commit()
        ids = [d.id for d in rows]
        assert await announcement_receipts(session, "ann:7") == ReceiptCounts()
    # Person 0 got a template and the text (two messages), both read; person 1's reached the
    # phone; person 2's is still "sent"; person 3 is on Telegram (no receipt at all).
    await sent(runtime, people[0], "m0a", "m0b", delivery_id=ids[0])
    await sent(runtime, people[1], "m1", delivery_id=ids[1])
    await sent(runtime, people[2], "m2", delivery_id=ids[2])
    await sent(runtime, people[0], "lesson", delivery_id=other.id)  # not the announcement
    await apply(
        runtime,
        Receipt("m0a", S.read, at(3)),
        Receipt("m0b", S.read, at(3)),
        Receipt("m1", S.delivered, at(2)),
        Receipt("lesson", S.read, at(2)),
    )
    async with runtime.sessions() as session:
        counts = await announcement_receipts(session, "ann:7")
    assert (counts.tracked, counts.delivered, counts.read) == (3, 2, 1)


async def test_failures_count_people_none_of_whose_messages_arrived_per_channel(
    runtime: Runtime,
) -> None:
    """Person 0's template failed but the text after it arrived (not failed: it reached the
    phone); person 1's one message failed; person 2, on WeChat, refused the account's
    messages; person 3's template reached her on WeChat."""
    people = [await someone(runtime, str(n)) for n in range(4)]
    async with runtime.sessions() as session:
        for pid in people[2:]:  # two of them are on WeChat
            person = await session.get(Person, pid)
            assert person is not None
            person.channel = "wechat"
            session.add(person)
        rows = [
            Delivery(person_id=pid, kind=DeliveryKind.announcement, ref="ann:9", due_at=NOW)
            for pid in people
        ]
        session.add_all(rows)
        await session.commit()
        ids = [d.id for d in rows]
        await record_sent(session, "wechat", ["1002"], people[2], NOW, delivery_id=ids[2])
        await record_sent(session, "wechat", ["1003"], people[3], NOW, delivery_id=ids[3])
        await apply_receipts(
            session,
            "wechat",
            [
                Receipt("1002", S.failed, at(1), error_code=43101),
                Receipt("1003", S.delivered, at(1)),
            ],
        )
        await session.commit()
    await sent(runtime, people[0], "t0", "m0", delivery_id=ids[0])
    await sent(runtime, people[1], "t1", delivery_id=ids[1])
    await apply(
        runtime,
        Receipt("t0", S.failed, at(1), error_code=131026),
        Receipt("m0", S.delivered, at(2)),
        Receipt("t1", S.failed, at(1), error_code=131026),
    )
    async with runtime.sessions() as session:
        per_channel = await announcement_receipts_by_channel(session, "ann:9")
        total = await announcement_receipts(session, "ann:9")
    assert per_channel == {
        WA: ReceiptCounts(tracked=2, delivered=1, read=0, failed=1),
        "wechat": ReceiptCounts(tracked=2, delivered=1, read=0, failed=1),
    }
    assert total == ReceiptCounts(tracked=4, delivered=2, read=0, failed=2)


async def test_old_receipts_are_pruned(runtime: Runtime) -> None:
    pid = await someone(runtime)
    async with runtime.sessions() as session:
        await record_sent(session, WA, ["old"], pid, NOW - timedelta(days=91))
        await record_sent(session, WA, ["kept"], pid, NOW - timedelta(days=89))
        await session.commit()
        assert await prune(session, NOW) == 1
        await session.commit()
        assert list(await session.exec(select(MessageReceipt.message_ref))) == ["kept"]
