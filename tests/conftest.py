"""Shared fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
a migrated runtime, and a scripted person talking to the handlers."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.config import Settings
from bot.core.messages import Button, Incoming, Reply, Sender
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.runtime import Runtime, open_runtime

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
SAMPLE_CONTENT = Path(__file__).parent / "content"


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for tests: no .env file, no token, the sample course, generous flood limits."""
    values: dict[str, object] = {
        "database_url": database_url,
        "bot_token": "",
        "default_language": "en",
        "flood_max_messages": 1000,
        "content_dir": SAMPLE_CONTENT,
        "default_course": "sample",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'academy.db'}"


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database on the TEST_DATABASE_URL server, dropped afterwards."""
    name = f"academy_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Tests that ask for it run on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'academy.db'}"
        return
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return make_settings(sqlite_url)


async def migrated_runtime(settings: Settings) -> Runtime:
    engine = make_engine(settings)
    await upgrade(engine)
    await engine.dispose()
    return await open_runtime(settings)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = await migrated_runtime(settings)
    try:
        yield rt
    finally:
        await rt.close()


class Trainee:
    """A scripted person talking straight to the Academy, as any channel would."""

    def __init__(self, runtime: Runtime, user_id: str, name: str, language: str | None) -> None:
        self.runtime = runtime
        self.sender = Sender("test", user_id, display_name=name, language_hint=language)
        self.last: list[Reply] = []

    async def send(self, text: str) -> list[Reply]:
        return await self._handle(Incoming.from_text(self.sender, text))

    async def press(self, label: str) -> list[Reply]:
        """Tap an inline button of the latest replies, by its label (ignoring a leading tick)."""
        button = self.button(label)
        return await self._handle(Incoming.button(self.sender, button.payload))

    def button(self, label: str) -> Button:
        buttons = [b for reply in self.last for row in reply.buttons for b in row]
        for candidate in buttons:
            if candidate.label.removeprefix("✓ ") == label.removeprefix("✓ "):
                return candidate
        raise AssertionError(f"no button {label!r}; have {[b.label for b in buttons]}")

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        async with self.runtime.sessions() as session:
            self.last = await self.runtime.academy.handle(incoming, session)
        return self.last

    @property
    def texts(self) -> list[str]:
        return [reply.text for reply in self.last]

    @property
    def menu(self) -> tuple[tuple[str, ...], ...] | None:
        menus = [reply.menu for reply in self.last if reply.menu is not None]
        return menus[-1] if menus else None


@pytest.fixture
def trainee_factory(runtime: Runtime) -> Callable[..., Trainee]:
    def make(user_id: str = "1", name: str = "Ana", language: str | None = "en") -> Trainee:
        return Trainee(runtime, user_id, name, language)

    return make
