"""`academy certificate verify CODE` against a real database."""

import asyncio

from typer.testing import CliRunner

from bot.cli import app
from bot.db.models import Certificate, Person
from bot.db.types import utcnow
from tests.conftest import SAMPLE_CONTENT, make_settings, migrated_runtime


def test_verify_a_real_code_and_refuse_an_unknown_one(database_url: str) -> None:
    url = database_url

    async def issue() -> None:
        runtime = await migrated_runtime(make_settings(url))
        async with runtime.sessions() as session:
            person = Person(channel="test", channel_user_id="1", display_name="Rosa Pérez")
            session.add(person)
            await session.flush()
            session.add(
                Certificate(
                    person_id=person.id,
                    course_id="sample",
                    code="ABCD-EFGH",
                    name="Rosa Pérez",
                    issued_at=utcnow(),
                )
            )
            await session.commit()
        await runtime.close()

    asyncio.run(issue())
    env = {"DATABASE_URL": url, "CONTENT_DIR": str(SAMPLE_CONTENT), "DEFAULT_COURSE": "sample"}
    runner = CliRunner()
    ok = runner.invoke(app, ["certificate", "verify", "abcd efgh"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "Rosa Pérez" in ok.output and "Try it: sell peaches online" in ok.output
    unknown = runner.invoke(app, ["certificate", "verify", "ZZZZ-ZZZZ"], env=env)
    assert unknown.exit_code == 1
