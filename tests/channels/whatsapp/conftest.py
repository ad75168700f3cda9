"""The WhatsApp channel as `academy run` starts it (the runtime's lifecycle, the web-hook on the
shared web server), talking to a fake Graph API over real HTTP both ways."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from sqlmodel import select

from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.config import Settings
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import Person
from bot.runtime import Runtime
from tests.conftest import _Running, make_settings
from tests.fakes.graph_server import FakeGraph
from tests.fakes.server import free_port

VERIFY_TOKEN = "verify-me-please"


@dataclass
class LiveWhatsApp:
    fake: FakeGraph
    runtime: Runtime
    channel: WhatsAppChannel
    url: str  # the web-hook's

    async def person(self, user_id: str) -> Person:
        async with self.runtime.sessions() as session:
            query = select(Person).where(
                Person.channel == "whatsapp", Person.channel_user_id == user_id
            )
            return (await session.exec(query)).one()


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraph]:
    async with FakeGraph() as fake:
        yield fake


def whatsapp_settings(fake: FakeGraph, database_url: str, **overrides: object) -> Settings:
    port = free_port()
    values: dict[str, object] = {
        "whatsapp_phone_number_id": fake.phone_number_id,
        "whatsapp_access_token": fake.token,
        "whatsapp_app_secret": fake.app_secret,
        "whatsapp_verify_token": VERIFY_TOKEN,
        "whatsapp_api_url": fake.base_url,
        "whatsapp_phone_number": "5215512345678",
        "webhook_host": "127.0.0.1",
        "webhook_port": port,
        "shutdown_grace": 5.0,
    }
    values.update(overrides)
    return make_settings(database_url, **values)


# Statuses that overtook the recording of their message are tried again this soon here.
LATE_STATUSES_AFTER = 0.05


@asynccontextmanager
async def running_whatsapp(fake: FakeGraph, settings: Settings) -> AsyncIterator[LiveWhatsApp]:
    """The channel on a migrated database through `Runtime.running` until the block ends; the
    fake posts its web-hooks to it. The delivery ticker is off (tests tick it themselves)."""
    assert _Running.uses_database, "ask for the `database_url` fixture"
    engine = make_engine(settings)
    await upgrade(engine)
    await engine.dispose()
    channel = WhatsAppChannel(settings)
    async with Runtime.running(settings, [channel], deliveries=False) as runtime:
        url = f"http://127.0.0.1:{settings.webhook_port}{settings.whatsapp_webhook_path}"
        fake.webhook_url = url
        assert channel.updates is not None
        channel.updates.late_statuses_after = LATE_STATUSES_AFTER
        yield LiveWhatsApp(fake, runtime, channel, url)


@pytest.fixture
async def live_whatsapp(fake_graph: FakeGraph, database_url: str) -> AsyncIterator[LiveWhatsApp]:
    async with running_whatsapp(fake_graph, whatsapp_settings(fake_graph, database_url)) as live:
        yield live
