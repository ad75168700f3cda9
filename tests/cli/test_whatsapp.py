"""`academy whatsapp setup` against the fake Graph API (served from a thread: the command runs
its own event loop)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.handlers import COMMANDS
from bot.i18n import Translator
from tests.cli.conftest import served_in_thread
from tests.fakes.graph_server import FakeGraph


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with served_in_thread(FakeGraph()) as server:
        yield server


def env_for(fake: FakeGraph, **more: str) -> dict[str, str]:
    return {
        "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": fake.token,
        "WHATSAPP_API_URL": fake.base_url,
        "DEFAULT_LANGUAGE": "es",
        "BOT_TOKEN": "",
        **more,
    }


def test_setup_sets_the_commands_and_four_ice_breakers(fake: FakeGraph) -> None:
    done = CliRunner().invoke(app, ["whatsapp", "setup"], env=env_for(fake))
    assert done.exit_code == 0, done.output
    es = Translator("es")
    assert fake.automation["prompts"] == [
        es("menu.lesson"),
        es("menu.progress"),
        es("menu.help"),
        es("menu.language"),
    ]
    commands = fake.automation["commands"]
    assert [c["command_name"] for c in commands] == [name for name, _ in COMMANDS]
    assert commands[0]["command_description"] == es("command.start")
    assert "/lesson" in done.output and es("menu.help") in done.output
    json.dumps(fake.automation)  # what Meta got was plain JSON


def test_setup_without_settings_or_with_a_refused_token(fake: FakeGraph) -> None:
    runner = CliRunner()
    unset = runner.invoke(
        app, ["whatsapp", "setup"], env={**env_for(fake), "WHATSAPP_ACCESS_TOKEN": ""}
    )
    assert unset.exit_code == 2 and "WHATSAPP_ACCESS_TOKEN" in unset.output
    refused = runner.invoke(
        app, ["whatsapp", "setup"], env=env_for(fake, WHATSAPP_ACCESS_TOKEN="EAAG-old")
    )
    assert refused.exit_code == 2 and "190" in refused.output
    assert fake.automation == {}


def test_deliver_once_sends_through_whatsapp(fake: FakeGraph, database_url: str) -> None:
    """`academy deliver --once` with only WhatsApp set: a due reply in the outbox goes out."""
    from datetime import UTC, datetime

    from bot.core.messages import Reply
    from bot.db.engine import make_engine, make_sessionmaker
    from bot.db.models import Person
    from bot.scheduling import outbox
    from tests.conftest import SAMPLE_CONTENT, make_settings

    async def seed() -> None:
        engine = make_engine(make_settings(database_url))
        async with make_sessionmaker(engine)() as session:
            session.add(Person(channel="whatsapp", channel_user_id="MX.77", language="es"))
            await session.commit()
            await outbox.keep(
                session, "whatsapp", "MX.77", [Reply("¿Seguimos?")], datetime.now(UTC)
            )
            await session.commit()
        await engine.dispose()

    asyncio.run(seed())
    env = env_for(
        fake,
        DATABASE_URL=database_url,
        CONTENT_DIR=str(SAMPLE_CONTENT),
        DEFAULT_COURSE="sample",
    )
    done = CliRunner().invoke(app, ["deliver", "--once"], env=env)
    assert done.exit_code == 0, done.output
    assert [m.text for m in fake.messages("MX.77")] == ["¿Seguimos?"]
