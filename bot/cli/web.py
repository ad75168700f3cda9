"""`academy web`: the dashboard from the server's shell."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import database_session, fail, settings_or_exit
from bot.cli.users import parse_person_ref
from bot.runtime.loop import run_async

web_app = typer.Typer(help="The web dashboard.", no_args_is_help=True)


@web_app.command("login-link")
def login_link(
    user: Annotated[
        str,
        typer.Option(
            "--user", help="Who signs in: telegram:ID, console:NAME, or a Telegram user id."
        ),
    ],
) -> None:
    """Print a one-time sign-in link to the dashboard (valid 10 minutes) for a lecturer,
    coordinator or admin, as /web does in the chat."""
    settings = settings_or_exit()
    from bot.db.models import Role
    from bot.db.people import find_person
    from bot.db.roles import at_least
    from bot.db.types import utcnow
    from bot.db.web_sign_in import new_login, sign_in_link

    channel, user_id = parse_person_ref(user)

    async def main() -> str:
        async with database_session(settings) as session:
            person = await find_person(session, channel, user_id)
            if person is None or person.id is None:
                raise fail(f"No one is {channel}:{user_id}: they must write to the bot first.")
            if not at_least(person, Role.lecturer):
                raise fail(
                    f"{channel}:{user_id} is a trainee; the dashboard is for lecturers and "
                    f"coordinators (academy users promote {channel}:{user_id} --role lecturer)."
                )
            token = await new_login(session, person.id, utcnow())
            await session.commit()
        return sign_in_link(settings, token)

    if not settings.web_dashboard:
        raise fail("The dashboard is off (WEB_DASHBOARD=false).", 2)
    typer.echo(run_async(main()))
