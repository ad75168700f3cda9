"""A sender killed with SIGKILL in the middle of a 1,000-recipient announcement, then restarted:
nobody is missed, and only the messages in flight at the kill may arrive twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from sqlmodel import select

from bot.db.models import Delivery
from tests.conftest import SAMPLE_CONTENT, make_settings, migrated_runtime
from tests.fakes.telegram_server import FakeTelegram
from tests.scheduling.conftest import announce_now, make_class

RECIPIENTS = 1000
CONCURRENCY = 8


def sender_env(fake: FakeTelegram, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env.update(
        BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,
        DATABASE_URL=url,
        CONTENT_DIR=str(SAMPLE_CONTENT),
        DEFAULT_COURSE="sample",
        SEND_RATE_GLOBAL="400",
        DELIVERY_CONCURRENCY=str(CONCURRENCY),
        DELIVERY_LEASE="1",
        DELIVERY_INTERVAL="0.2",
        LOG_LEVEL="WARNING",
    )
    return env


def delivered(fake: FakeTelegram) -> int:
    return sum(1 for r in fake.requests if r.method == "sendMessage" and r.status == 200)


async def test_sigkill_mid_announcement_then_restart(tmp_path: Path, database_url: str) -> None:
    url = database_url
    async with FakeTelegram() as fake:
        runtime = await migrated_runtime(make_settings(url))
        cohort, people, lecturer = await make_class(runtime, fake, RECIPIENTS)
        await announce_now(runtime, cohort, lecturer, "📣")
        await runtime.close()

        env = sender_env(fake, url)
        sender = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "deliver",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(600):  # up to 30 s for the sender to start and get a third of the way
            if delivered(fake) >= RECIPIENTS // 3 or sender.returncode is not None:
                break
            await asyncio.sleep(0.05)
        assert sender.returncode is None, (await sender.stderr.read()).decode()[-2000:]
        sender.send_signal(signal.SIGKILL)
        await sender.wait()
        at_kill = delivered(fake)
        assert RECIPIENTS // 3 <= at_kill < RECIPIENTS

        await asyncio.sleep(1.2)  # the dead sender's lease runs out (wall clock: another process)
        restart = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "deliver",
            "--once",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, errors = await asyncio.wait_for(restart.communicate(), 120)
        assert restart.returncode == 0, errors.decode()[-2000:]

        per_chat = Counter(
            r.chat_id for r in fake.requests if r.method == "sendMessage" and r.status == 200
        )
        trainees = [int(p.channel_user_id) for p in people]
        missed = [chat for chat in trainees if per_chat[chat] == 0]
        twice = sum(per_chat[chat] - 1 for chat in trainees if per_chat[chat] > 1)
        assert missed == []
        assert twice <= CONCURRENCY  # at most the messages in flight at the kill

        runtime = await migrated_runtime(make_settings(url))
        async with runtime.sessions() as session:
            statuses = Counter(
                d.status
                for d in await session.exec(select(Delivery).where(Delivery.kind == "announcement"))
            )
        await runtime.close()
        assert statuses == {"sent": RECIPIENTS}
