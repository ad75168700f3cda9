"""`academy users`: list people and change their role from the server's shell."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.db.models import Person, Role

T = TypeVar("T")
users_app = typer.Typer(help="People and their roles.", no_args_is_help=True)


def parse_person_ref(ref: str) -> tuple[str, str]:
    """`telegram:123`, `console:ana`, or a bare Telegram id `123`."""
    channel, _, user = ref.strip().rpartition(":")
    return (channel or "telegram", user)


async def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from bot.db.engine import make_engine, make_sessionmaker

    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


@users_app.command("promote")
def promote(
    ref: Annotated[str, typer.Argument(help="telegram:ID, console:NAME, or a Telegram user id.")],
    role: Annotated[Role, typer.Option(help="The new role.")] = Role.lecturer,
) -> None:
    """Give a person a role (also to take one away: --role trainee)."""
    from bot.runtime import run_async

    channel, user = parse_person_ref(ref)

    async def work(session: AsyncSession) -> str | None:
        person = (
            await session.exec(
                select(Person).where(Person.channel == channel, Person.channel_user_id == user)
            )
        ).first()
        if person is None:
            return None
        person.role = role.value
        session.add(person)
        await session.commit()
        return person.display_name or user

    name = run_async(_with_session(Settings(), work))
    if name is None:
        typer.secho(
            f"Nobody {channel}:{user} has written to the bot yet; ask them to send /start first.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"{name} ({channel}:{user}) is now {role.value}.")


@users_app.command("list")
def list_people(
    role: Annotated[Role | None, typer.Option(help="Only people with this role.")] = None,
) -> None:
    """Everyone who has written to the bot, newest last."""
    from bot.runtime import run_async

    async def work(session: AsyncSession) -> list[Person]:
        query = select(Person).order_by(col(Person.id))
        if role is not None:
            query = query.where(Person.role == role.value)
        return list(await session.exec(query))

    people = run_async(_with_session(Settings(), work))
    table = Table("id", "channel:user", "name", "role", "language", "last seen")
    for person in people:
        table.add_row(
            str(person.id),
            f"{person.channel}:{person.channel_user_id}",
            person.display_name,
            person.role,
            person.language,
            f"{person.last_seen_at:%Y-%m-%d %H:%M}",
        )
    Console().print(table)
