"""`academy web login-link --user ID` against a real database: a link for staff that then works
once; a trainee or an unknown person is refused."""

import asyncio
import re

from typer.testing import CliRunner

from bot.cli import app
from bot.db.models import Role
from bot.db.types import utcnow
from bot.db.web_sign_in import use_login
from tests.conftest import SAMPLE_CONTENT, make_settings, migrated_runtime
from tests.web.conftest import add_person


def test_login_link_for_a_lecturer_and_refusals(database_url: str) -> None:
    url = database_url

    async def people() -> None:
        runtime = await migrated_runtime(make_settings(url))
        await add_person(runtime, Role.lecturer, channel="console", user_id="lee")
        await add_person(runtime, Role.trainee, channel="telegram", user_id="555")
        await runtime.close()

    asyncio.run(people())
    env = {
        "DATABASE_URL": url,
        "CONTENT_DIR": str(SAMPLE_CONTENT),
        "DEFAULT_COURSE": "sample",
        "PUBLIC_URL": "https://academy.example.org",
    }
    runner = CliRunner()
    ok = runner.invoke(app, ["web", "login-link", "--user", "console:lee"], env=env)
    assert ok.exit_code == 0, ok.output
    found = re.fullmatch(
        r"https://academy\.example\.org/web/login/([A-Za-z0-9_-]{43})\n", ok.output
    )
    assert found, ok.output

    async def spend() -> int:
        runtime = await migrated_runtime(make_settings(url))
        async with runtime.sessions() as session:
            person_id = await use_login(session, found.group(1), utcnow())
            await session.commit()
        await runtime.close()
        return person_id

    assert asyncio.run(spend()) > 0
    trainee = runner.invoke(app, ["web", "login-link", "--user", "555"], env=env)
    assert trainee.exit_code == 1 and "trainee" in trainee.output
    unknown = runner.invoke(app, ["web", "login-link", "--user", "console:nobody"], env=env)
    assert unknown.exit_code == 1 and "No one is console:nobody" in unknown.output
    off = runner.invoke(
        app, ["web", "login-link", "--user", "console:lee"], env={**env, "WEB_DASHBOARD": "false"}
    )
    assert off.exit_code == 2
