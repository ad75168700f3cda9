"""Migrations on SQLite and PostgreSQL: the refusal on an old schema, and models == migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import bot.db.models  # noqa: F401
from bot.db.engine import make_engine
from bot.db.migrate import SchemaOutOfDate, require_current_schema, status, upgrade
from tests.conftest import make_settings


async def test_empty_database_is_refused_with_the_fix_then_upgrade_works(
    empty_database_url,
) -> None:
    engine = make_engine(make_settings(empty_database_url))
    try:
        with pytest.raises(SchemaOutOfDate, match="academy db upgrade"):
            await require_current_schema(engine)
        state = await upgrade(engine)
        assert state.up_to_date and state.current == state.head
        await require_current_schema(engine)
        assert (await upgrade(engine)).current == state.head  # running it again is harmless
    finally:
        await engine.dispose()


async def test_the_models_match_the_migrations(empty_database_url) -> None:
    engine = make_engine(make_settings(empty_database_url))
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}),
                    SQLModel.metadata,
                )
            )
        assert diff == []
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url) -> None:
    engine = make_engine(make_settings(sqlite_url))
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await status(engine)).current is None
    finally:
        await engine.dispose()
