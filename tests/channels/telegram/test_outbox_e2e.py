"""Replies Telegram would not take (429s, 5xx past the retries) wait in the outbox and are sent
by the delivery engine when Telegram recovers: none lost, none twice, in the person's order."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.channels.sending.limiter import SendLimiter
from bot.channels.telegram.transport import TelegramTransport
from bot.db.models import Delivery
from bot.i18n import Translator
from bot.runtime.delivery import build_engine
from bot.scheduling.engine import DeliveryEngine
from tests.channels.telegram.test_webhook_faults import Hook, update, webhook
from tests.fakes.telegram_server import FakeTelegram
from tests.scheduling.conftest import Clock, no_wait

en = Translator("en")
ANA = 801


@pytest.fixture
async def hook(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Hook]:
    limiter = SendLimiter(1e6, 1e6, 10**6, sleep=no_wait)  # retries without real waiting
    async with webhook(fake_telegram, database_url, limiter) as made:
        made.runtime.academy.services.clock = Clock()
        yield made


def engine_of(hook: Hook) -> DeliveryEngine:
    return build_engine(hook.runtime, [TelegramTransport(hook.bot)])


async def waiting(hook: Hook) -> list[str]:
    async with hook.runtime.sessions() as session:
        rows = list(await session.exec(select(Delivery).where(Delivery.kind == "reply")))
    for row in rows:  # what was said is not kept once it is out
        assert (row.body is None) == (row.status == "sent")
    return [row.status for row in rows]


def texts(hook: Hook) -> list[str | None]:
    return [m.text for m in hook.fake.messages(ANA)]


async def test_replies_refused_by_telegram_wait_and_go_out_in_order(hook: Hook) -> None:
    ana = hook.fake.user(ANA, "Ana")
    assert await hook.post(update(1, ana, "/help")) == 200
    assert texts(hook) == [en("help.text")]

    hook.fake.fail_next("sendMessage", status=429, retry_after=3, chat_id=ANA, times=5)
    assert await hook.post(update(2, ana, "/language")) == 200  # past the retries: kept
    assert await hook.post(update(3, ana, "/help")) == 200  # Telegram is fine again, but
    assert texts(hook) == [en("help.text")]  # a reply waits, so this one goes behind it
    assert await waiting(hook) == ["pending", "pending"]

    engine = engine_of(hook)
    await engine.tick()
    assert texts(hook) == [en("help.text"), en("language.prompt"), en("help.text")]
    assert await waiting(hook) == ["sent", "sent"]
    await engine.tick()
    assert len(texts(hook)) == 3  # nothing twice

    assert await hook.post(update(4, ana, "/help")) == 200  # the outbox is empty: straight out
    assert len(texts(hook)) == 4


async def test_while_telegram_fails_the_outbox_keeps_the_order(hook: Hook) -> None:
    ana = hook.fake.user(ANA, "Ana")
    hook.fake.fail_next("sendMessage", status=500, chat_id=ANA, times=3)
    assert await hook.post(update(1, ana, "/language")) == 200
    assert await hook.post(update(2, ana, "/help")) == 200
    assert texts(hook) == []

    engine = engine_of(hook)
    hook.fake.fail_next("sendMessage", status=502, chat_id=ANA, times=3)  # still down
    await engine.tick()
    assert texts(hook) == []  # the first failed again: the second did not overtake it
    hook.runtime.academy.services.clock.advance(minutes=1)
    await engine.tick()
    assert texts(hook) == [en("language.prompt"), en("help.text")]
    await engine.tick()
    assert len(texts(hook)) == 2
