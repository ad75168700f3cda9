"""The webhook when things go wrong: an update delivered twice, a database outage, a malformed
call. Over real HTTP against the real webhook app and the fake Bot API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from aiogram import Bot
from sqlalchemy import func
from sqlmodel import select

from bot.channels.sending.limiter import SendLimiter
from bot.db.models import Cohort, RoleInvite
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.test_webhook import free_port
from tests.conftest import make_settings
from tests.fakes.outage import DatabaseOutage
from tests.fakes.telegram_server import FakeTelegram, FakeUser

BOSS = 601


@dataclass
class Hook:
    fake: FakeTelegram
    runtime: Runtime
    url: str
    secret: str
    outage: DatabaseOutage
    bot: Bot

    async def post(self, update: dict, secret: str | None = None) -> int:
        return await self.fake.post_update_to(self.url, update, secret or self.secret)

    async def count(self, model: type) -> int:
        async with self.runtime.sessions() as session:
            return int((await session.exec(select(func.count()).select_from(model))).one())


@asynccontextmanager
async def webhook(
    fake: FakeTelegram,
    database_url: str,
    limiter: SendLimiter | None = None,
    **overrides: object,
) -> AsyncIterator[Hook]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg/hook"
    outage = DatabaseOutage(database_url)
    settings = make_settings(
        await outage.start(),
        bot_token=fake.token,
        telegram_api_url=fake.base_url,
        webhook_url=url,
        webhook_host="127.0.0.1",
        webhook_port=port,
        webhook_secret="s3cret-token",
        admin_ids=str(BOSS),
        send_rate_per_chat=100.0,
        send_burst_per_chat=100,
        **overrides,
    )
    try:
        async with running_bot(fake, settings, limiter=limiter) as live:
            outage.watch(live.runtime.engine)
            yield Hook(fake, live.runtime, url, "s3cret-token", outage, live.bot)
    finally:
        await outage.stop()


@pytest.fixture
async def hook(fake_telegram: FakeTelegram, database_url: str) -> AsyncIterator[Hook]:
    async with webhook(fake_telegram, database_url) as made:
        yield made


def update(update_id: int, user: FakeUser, text: str) -> dict:
    return {"update_id": update_id, "message": user.text_message(text)}


async def test_an_update_posted_twice_is_applied_once(hook: Hook) -> None:
    boss = hook.fake.user(BOSS, "Boss")
    assert await hook.post(update(10, boss, "/start")) == 200
    welcomed = len(hook.fake.messages(BOSS))
    new_class = update(11, boss, "/newcohort Peaches")
    assert [await hook.post(new_class) for _ in range(2)] == [200, 200]
    invite = update(12, boss, "/invite_lecturer")
    assert [await hook.post(invite) for _ in range(2)] == [200, 200]
    assert await hook.count(Cohort) == 1
    assert await hook.count(RoleInvite) == 1
    # Three messages for the class (text, QR code, its card), one for the invite; none twice.
    assert len(hook.fake.messages(BOSS)) - welcomed == 4


async def test_during_an_outage_telegram_is_told_to_redeliver_and_nothing_is_lost(
    hook: Hook,
) -> None:
    boss = hook.fake.user(BOSS, "Boss", language_code="es")
    assert await hook.post(update(10, boss, "/start")) == 200
    before = len(hook.fake.messages(BOSS))
    new_class = update(11, boss, "/newcohort Peaches")
    help_ = update(12, boss, "/help")
    await hook.outage.cut()
    # Telegram retries an update until it is answered 2xx; three tries each while it is down.
    statuses = [await hook.post(u) for u in (new_class, help_) for _ in range(3)]
    assert set(statuses) == {503}
    during = hook.fake.messages(BOSS)[before:]
    assert [m.text for m in during] == [Translator("es")("error.saved")]  # one notice, no apology
    await hook.outage.restore()
    assert [await hook.post(u) for u in (new_class, help_, new_class)] == [200, 200, 200]
    assert await hook.count(Cohort) == 1
    after = hook.fake.messages(BOSS)[before + 1 :]
    assert len(after) == 4  # the class (text, QR code, card) and the help, once each
    assert after[-1].text == Translator("es")("help.text")


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2, 3]",
        b'{"update_id": "twelve", "message": {"text": 5}}',
        b'{"message": {"message_id": 1}}',
    ],
)
async def test_a_malformed_call_with_the_right_secret_gets_400_and_one_log_line(
    hook: Hook, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as client:
        async with client.post(hook.url, data=body, headers=headers) as response:
            assert response.status == 400
        async with client.post(hook.url, data=body) as response:  # no secret: refused first
            assert response.status == 401
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].exc_info is None
    assert "Traceback" not in caplog.text


async def test_a_commit_whose_answer_was_lost_still_gets_its_replies(
    fake_telegram: FakeTelegram, postgres_url: str
) -> None:
    """The server committed, the connection broke before saying so: the webhook answered 503,
    and the redelivery, recognised as applied, must still bring the replies."""
    async with webhook(fake_telegram, postgres_url) as hook:
        boss = hook.fake.user(BOSS, "Boss")
        assert await hook.post(update(10, boss, "/start")) == 200
        before = len(hook.fake.messages(BOSS))
        new_class = update(11, boss, "/newcohort Peaches")
        hook.outage.cut_after_next_commit()
        assert await hook.post(new_class) == 503
        await hook.outage.restore()
        assert await hook.count(Cohort) == 1  # it was committed
        assert await hook.post(new_class) == 200
        assert await hook.post(new_class) == 200  # a duplicate after that: nothing more
        after = [m.text for m in hook.fake.messages(BOSS)[before:]]
        assert after[0] == Translator("en")("error.saved")
        assert len(after[1:]) == 3  # the class, its QR code and its card, once
