"""`academy db`: the database schema."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import database, settings_or_exit
from bot.runtime.loop import run_async

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Bring the database schema up to date (safe to run every time)."""
    settings = settings_or_exit()

    async def main() -> None:
        from bot.db.migrate import upgrade

        async with database(settings) as engine:
            state = await upgrade(engine, revision)
        typer.echo(f"Database schema at revision {state.current}.")

    run_async(main())


@db_app.command("status")
def db_status() -> None:
    """Show the database's schema revision and the newest one; exit 3 when behind."""
    settings = settings_or_exit()

    async def main() -> bool:
        from bot.db.migrate import status

        async with database(settings) as engine:
            state = await status(engine)
        typer.echo(f"current: {state.current or '(empty)'}  head: {state.head}")
        return state.up_to_date

    if not run_async(main()):
        typer.echo("Run: academy db upgrade")
        raise typer.Exit(3)
