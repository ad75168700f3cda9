"""What every `academy` command shares: the settings (or exit 2 saying what is wrong), a
database session on an engine that is disposed after, and the exits for a stale schema or
broken content."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import typer
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings


def settings_or_exit() -> Settings:
    """The settings from the environment and `.env`; a value that cannot be used ends the
    command with exit code 2 and one line per problem, naming the setting."""
    try:
        return Settings()
    except ValidationError as error:
        lines = [
            f"{'.'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
            for problem in error.errors(include_url=False, include_input=False)
        ]
        typer.secho("Invalid settings: " + "; ".join(lines), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    except Exception as error:  # an unreadable .env
        typer.secho(f"Invalid settings: {error}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine on DATABASE_URL, disposed when the block ends."""
    from bot.db.engine import make_engine

    engine = make_engine(settings)
    try:
        yield engine
    finally:
        await engine.dispose()


@asynccontextmanager
async def database_session(settings: Settings) -> AsyncIterator[AsyncSession]:
    """One session on a fresh engine, disposed when the block ends."""
    from bot.db.engine import make_sessionmaker

    async with database(settings) as engine, make_sessionmaker(engine)() as session:
        yield session


def fail(message: str, code: int = 1) -> typer.Exit:
    """Say `message` in red on stderr; the Exit to raise."""
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def fail_content(error: Exception) -> typer.Exit:
    typer.secho("The course content has problems; the bot will not start:", fg="red", err=True)
    typer.echo(str(error), err=True)
    typer.echo("Check it with: academy content check", err=True)
    return typer.Exit(5)
