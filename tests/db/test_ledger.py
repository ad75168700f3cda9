"""The reply budget ledger kept on a person's row (bot/db/ledger.py), read back after a commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db.ledger import left_for, record_arrival, record_sent
from bot.db.models import Person
from bot.runtime import Runtime
from tests.core.channel_capabilities import TELEGRAM_LIKE, WECHAT_LIKE

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def test_the_ledger_survives_a_commit_and_counts_down(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        person = Person(channel="wechat", channel_user_id="o-1", language="zh")
        session.add(person)
        await session.commit()
        assert left_for(person, NOW, WECHAT_LIKE) == 0  # never wrote
        assert left_for(person, NOW, TELEGRAM_LIKE) is None
        record_arrival(session, person, NOW, WECHAT_LIKE)
        record_sent(session, person, 2)
        await session.commit()
        person_id = person.id
    async with runtime.sessions() as session:
        kept = await session.get(Person, person_id)
        assert kept is not None
        assert kept.budget_opened_at == NOW and kept.budget_spent == 2
        assert left_for(kept, NOW + timedelta(hours=1), WECHAT_LIKE) == 3
        record_sent(session, kept, 3)
        record_arrival(session, kept, NOW + timedelta(hours=2), WECHAT_LIKE, by_event=True)
        await session.commit()  # spent out: the menu click opens its own 3 for a minute
    async with runtime.sessions() as session:
        kept = await session.get(Person, person_id)
        assert kept is not None and kept.budget_by_event and kept.budget_spent == 0
        assert left_for(kept, NOW + timedelta(hours=2, seconds=30), WECHAT_LIKE) == 3
        assert left_for(kept, NOW + timedelta(hours=2, minutes=1), WECHAT_LIKE) == 0
