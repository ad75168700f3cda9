"""`academy users list` and `academy users promote` against a real database."""

import asyncio

from sqlmodel import select
from typer.testing import CliRunner

from bot.__main__ import app
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
    unknown = runner.invoke(app, ["users", "promote", "telegram:999", "--role", "admin"], env=env)
    assert unknown.exit_code == 1
