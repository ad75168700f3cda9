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


async def test_0011_goes_down_to_0010_and_up_again(empty_database_url) -> None:
    """The numbered choices and the reply ledger come and go with their migration."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import inspect

    from bot.db.migrate import alembic_config

    def columns(sync) -> tuple[set[str], set[str]]:
        inspector = inspect(sync)
        return {c["name"] for c in inspector.get_columns("people")}, set(
            inspector.get_table_names()
        )

    def downgrade(sync) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync
        command.downgrade(config, "0010")

    added = {"choices_at", "budget_opened_at", "budget_by_event", "budget_spent"}
    engine = make_engine(make_settings(empty_database_url))
    try:
        await upgrade(engine, "0010")
        async with engine.begin() as connection:  # a person from before: defaults fill in
            await connection.execute(
                text(
                    "INSERT INTO people (channel, channel_user_id, display_name, language,"
                    " language_chosen, timezone, timezone_chosen, role, blocked, created_at,"
                    " last_seen_at) VALUES ('wechat', 'o1', 'Ana', 'zh', false,"
                    " 'Asia/Shanghai', false, 'trainee', false, :now, :now)"
                ),
                {"now": datetime(2026, 5, 4, 9, 0, tzinfo=UTC)},
            )
        assert (await upgrade(engine, "0011")).current == "0011"
        async with engine.connect() as connection:
            people, tables = await connection.run_sync(columns)
            assert added <= people and "offered_choices" in tables
            row = (
                await connection.execute(
                    text("SELECT choices_at, budget_by_event, budget_spent FROM people")
                )
            ).one()
            assert (row[0], bool(row[1]), row[2]) == (None, False, 0)
        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
        async with engine.connect() as connection:
            people, tables = await connection.run_sync(columns)
            assert not added & people and "offered_choices" not in tables
            assert (await connection.execute(text("SELECT count(*) FROM people"))).scalar() == 1
        assert (await status(engine)).current == "0010"
        assert (await upgrade(engine)).up_to_date
    finally:
        await engine.dispose()


async def test_0012_adds_and_drops_the_wechat_qr_codes(empty_database_url) -> None:
    """The class codes' WeChat QR codes come and go with their migration."""
    from alembic import command
    from sqlalchemy import inspect

    from bot.db.migrate import alembic_config

    def tables(sync) -> set[str]:
        return set(inspect(sync).get_table_names())

    def downgrade(sync) -> None:
        config = alembic_config()
        config.attributes["connection"] = sync
        command.downgrade(config, "0011")

    engine = make_engine(make_settings(empty_database_url))
    try:
        assert (await upgrade(engine, "0012")).current == "0012"
        async with engine.connect() as connection:
            assert "wechat_qr_codes" in await connection.run_sync(tables)
        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
        async with engine.connect() as connection:
            assert "wechat_qr_codes" not in await connection.run_sync(tables)
        assert (await status(engine)).current == "0011"
        assert (await upgrade(engine)).up_to_date
    finally:
        await engine.dispose()
