"""Alembic, driven from code: upgrade, current revision and the start-up schema check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"
UPGRADE_COMMAND = "academy db upgrade"


class SchemaOutOfDate(RuntimeError):
    """The database is behind (or ahead of) the code's migrations."""


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def alembic_config(url: str = "") -> Config:
    """An Alembic config pointing at our migrations; no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> SchemaStatus:
    """Apply every pending migration; returns the schema state afterwards."""
    config = alembic_config()
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, config, revision)
    return await status(engine)


async def status(engine: AsyncEngine) -> SchemaStatus:
    """Where the database stands against the newest migration."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    async with engine.connect() as connection:
        current = await connection.run_sync(_current)
    return SchemaStatus(current=current, head=head)


async def require_current_schema(engine: AsyncEngine) -> None:
    """Refuse to run on a schema the code does not match, naming the command that fixes it."""
    state = await status(engine)
    if not state.up_to_date:
        found = state.current or "empty database"
        raise SchemaOutOfDate(
            f"The database schema is out of date (found {found}, need {state.head}). "
            f"Run: {UPGRADE_COMMAND}"
        )
