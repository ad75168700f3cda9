"""`academy users list` and `academy users promote` against a real database."""

import asyncio

from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.db.models import Person
from tests.conftest import SAMPLE_CONTENT, make_settings, migrated_runtime


def test_promote_then_list_by_role(database_url: str) -> None:
    url = database_url

    async def seed() -> None:
        runtime = await migrated_runtime(make_settings(url))
        async with runtime.sessions() as session:
            session.add(Person(channel="telegram", channel_user_id="4242", display_name="Li Na"))
            await session.commit()
        await runtime.close()

    async def role_of(user_id: str) -> str:
        runtime = await migrated_runtime(make_settings(url))
        async with runtime.sessions() as session:
            query = select(Person.role).where(Person.channel_user_id == user_id)
            role = (await session.exec(query)).one()
        await runtime.close()
        return role

    asyncio.run(seed())
    env = {"DATABASE_URL": url, "CONTENT_DIR": str(SAMPLE_CONTENT), "DEFAULT_COURSE": "sample"}
    runner = CliRunner()
    promoted = runner.invoke(app, ["users", "promote", "4242", "--role", "lecturer"], env=env)
    assert promoted.exit_code == 0, promoted.output
    assert "Li Na (telegram:4242) is now lecturer." in promoted.output
    assert asyncio.run(role_of("4242")) == "lecturer"
    listed = runner.invoke(app, ["users", "list", "--role", "lecturer"], env=env)
    assert "telegram:4242" in listed.output and "Li Na" in listed.output
    assert (
        "telegram:4242"
        not in runner.invoke(app, ["users", "list", "--role", "admin"], env=env).output
    )
    unknown = runner.invoke(
        app, ["users", "promote", "telegram:999", "--role", "coordinator"], env=env
    )
    assert unknown.exit_code == 1


def test_admins_come_from_admin_ids_and_demote_lowers_a_role(database_url: str) -> None:
    url = database_url

    async def seed() -> None:
        runtime = await migrated_runtime(make_settings(url, admin_ids="telegram:1"))
        async with runtime.sessions() as session:
            session.add(Person(channel="telegram", channel_user_id="1", role="admin"))
            session.add(Person(channel="telegram", channel_user_id="2", role="coordinator"))
            session.add(Person(channel="telegram", channel_user_id="3", role="lecturer"))
            await session.commit()
        await runtime.close()

    async def roles() -> dict[str, str]:
        runtime = await migrated_runtime(make_settings(url, admin_ids="telegram:1"))
        async with runtime.sessions() as session:
            found = await session.exec(select(Person.channel_user_id, Person.role))
            result = dict(found.all())
        await runtime.close()
        return result

    asyncio.run(seed())
    env = {
        "DATABASE_URL": url,
        "CONTENT_DIR": str(SAMPLE_CONTENT),
        "DEFAULT_COURSE": "sample",
        "ADMIN_IDS": "1",
    }
    runner = CliRunner()
    refused = runner.invoke(app, ["users", "promote", "3", "--role", "admin"], env=env)
    assert refused.exit_code == 1
    assert "ADMIN_IDS" in refused.output
    demoted = runner.invoke(app, ["users", "demote", "2", "--role", "lecturer"], env=env)
    assert demoted.exit_code == 0, demoted.output
    assert "is now lecturer" in demoted.output
    assert runner.invoke(app, ["users", "demote", "3"], env=env).exit_code == 0
    assert asyncio.run(roles()) == {"1": "admin", "2": "lecturer", "3": "trainee"}
    # an admin is demoted by taking them out of ADMIN_IDS, not here
    admin = runner.invoke(app, ["users", "demote", "1"], env=env)
    assert admin.exit_code == 1 and "ADMIN_IDS" in admin.output
    # demote never raises
    up = runner.invoke(app, ["users", "demote", "3", "--role", "coordinator"], env=env)
    assert up.exit_code == 1
    assert asyncio.run(roles()) == {"1": "admin", "2": "lecturer", "3": "trainee"}
