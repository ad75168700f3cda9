"""Messages delivered and read, and unreachable trainees, on the programme of conftest.py with
WhatsApp receipts added (today is 2026-03-10 15:00 UTC; unreachable after 7 days by default).

    who    messages sent (day: what came of it)                         unreachable
    Ana    03-09 read, 03-10 delivered                                   no
    Ben    02-20 delivered, 03-01 never, 03-09 never                     yes: nothing since 03-01
    Cai    03-08 never                                                   no: not 7 days yet
    Dora   03-01 never, 03-05 delivered                                  no: delivered since
    Eva    02-25 failed (131026)                                         yes (Alpha and Beta)
    Fay    (Telegram: no receipts)                                       no
    Leo    02-01 never (a lecturer: not counted)
    Hal    02-01 never (Gamma: another course)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.cohorts.privacy import forget
from bot.db.models import MessageReceipt, Person
from bot.db.models import ReceiptStatus as S
from bot.stats import MessageReach, all_cohort_stats, cohort_stats, trainee_rows
from tests.stats.conftest import NOW, Programme


def day(month: int, dom: int) -> datetime:
    return datetime(2026, month, dom, 12, 0, tzinfo=UTC)


RECEIPTS = {  # name: [(sent, status)]
    "Ana": [(day(3, 9), S.read), (day(3, 10), S.delivered)],
    "Ben": [(day(2, 20), S.delivered), (day(3, 1), S.sent), (day(3, 9), S.sent)],
    "Cai": [(day(3, 8), S.sent)],
    "Dora": [(day(3, 1), S.sent), (day(3, 5), S.delivered)],
    "Eva": [(day(2, 25), S.failed)],
    "Leo": [(day(2, 1), S.sent)],
    "Hal": [(day(2, 1), S.sent)],
}


@pytest.fixture
async def reached(programme: Programme) -> Programme:
    async with programme.runtime.sessions() as session:
        for name, messages in RECEIPTS.items():
            for n, (sent, status) in enumerate(messages):
                arrived = sent + timedelta(minutes=1)
                session.add(
                    MessageReceipt(
                        channel="whatsapp",
                        message_ref=f"wamid.{name}.{n}",
                        person_id=programme.people[name],
                        status=status,
                        sent_at=sent,
                        delivered_at=arrived if status in (S.delivered, S.read) else None,
                        read_at=arrived if status is S.read else None,
                        failed_at=arrived if status is S.failed else None,
                        error_code=131026 if status is S.failed else None,
                    )
                )
        await session.commit()
    return programme


async def reach_of(programme: Programme, **options: timedelta) -> list[MessageReach]:
    """Every cohort's reach (Alpha, Beta), then the course overall."""
    runtime = programme.runtime
    courses = runtime.academy.services.courses
    async with runtime.sessions() as session:
        every = await all_cohort_stats(session, courses, NOW, **options)
        overall = await cohort_stats(session, courses, None, NOW, course_id="sample", **options)
        alpha = await cohort_stats(session, courses, programme.cohorts["Alpha"], NOW, **options)
    assert every[0].reach == alpha.reach  # one cohort alone counts as among all
    return [s.reach for s in (*every, overall)]


async def test_delivered_read_and_unreachable_per_cohort_and_overall(reached: Programme) -> None:
    alpha, beta, overall = await reach_of(reached)
    assert alpha == MessageReach(messages=9, delivered=4, read=1, unreachable=2)
    assert beta == MessageReach(messages=1, delivered=0, read=0, unreachable=1)  # Eva
    assert overall == MessageReach(messages=9, delivered=4, read=1, unreachable=2)  # Eva once
    assert (alpha.delivered_share, alpha.read_share) == (4 / 9, 1 / 9)


async def test_the_unreachable_window_is_a_setting(reached: Programme) -> None:
    three = await reach_of(reached, unreachable_after=timedelta(days=3))
    assert [r.unreachable for r in three] == [2, 1, 2]  # Cai's is 2 days old: not yet
    two = await reach_of(reached, unreachable_after=timedelta(days=1, hours=1))
    assert [r.unreachable for r in two] == [3, 1, 3]  # now Cai too
    twenty = await reach_of(reached, unreachable_after=timedelta(days=20))
    assert [r.unreachable for r in twenty] == [0, 0, 0]  # nobody waited that long
    assert [r.messages for r in twenty] == [9, 1, 9]  # the counts do not depend on it


async def test_a_class_without_receipts_has_none(programme: Programme) -> None:
    """Telegram reports no receipts: nothing to count, no shares, nobody unreachable."""
    reach = await reach_of(programme)
    assert reach == [MessageReach()] * 3
    assert (reach[0].delivered_share, reach[0].read_share) == (None, None)


async def test_trainee_rows_carry_each_persons_receipts(reached: Programme) -> None:
    runtime = reached.runtime
    course = runtime.academy.services.courses["sample"]
    async with runtime.sessions() as session:
        rows = {r.name: r for r in await trainee_rows(session, course, None, NOW)}
        week = timedelta(days=1, hours=1)
        short = {
            r.name: r
            for r in await trainee_rows(session, course, None, NOW, unreachable_after=week)
        }
    figures = {n: (r.messages, r.delivered, r.read, r.unreachable) for n, r in rows.items()}
    assert figures == {
        "Ana": (2, 2, 1, False),
        "Ben": (3, 1, 0, True),
        "Cai": (1, 0, 0, False),
        "Dora": (2, 1, 0, False),
        "Eva": (1, 0, 0, True),
        "Fay": (0, 0, 0, False),
        "Gus": (0, 0, 0, False),
    }
    assert short["Cai"].unreachable and not short["Dora"].unreachable


async def test_a_forgotten_trainees_receipts_go_with_them(reached: Programme) -> None:
    runtime = reached.runtime
    async with runtime.sessions() as session:
        ben = await session.get(Person, reached.people["Ben"])
        assert ben is not None
        await forget(session, ben, runtime.academy.services.courses, NOW)
        await session.commit()
    alpha, _, overall = await reach_of(reached)
    # Not kept in the anonymous totals: the count and what its shares are of both drop.
    assert alpha == MessageReach(messages=6, delivered=3, read=1, unreachable=1)
    assert overall == alpha
    async with runtime.sessions() as session:
        left = await session.exec(select(MessageReceipt.person_id).distinct())
        assert reached.people["Ben"] not in set(left)
