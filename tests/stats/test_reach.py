"""Messages delivered and read, and unreachable trainees, on the programme of conftest.py with
the WhatsApp receipts of its RECEIPTS table (the `reached` fixture)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.cohorts.privacy import forget
from bot.db.models import MessageReceipt, Person
from bot.stats import MessageReach, all_cohort_stats, cohort_stats, trainee_rows
from tests.stats.conftest import NOW, Programme


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
