"""`academy users`: list people and change their role from the server's shell."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli.common import database_session, fail, settings_or_exit
from bot.config import Settings
from bot.db.models import Person, Role
from bot.db.people import find_person
from bot.runtime.loop import run_async

T = TypeVar("T")
users_app = typer.Typer(help="People and their roles.", no_args_is_help=True)


def parse_person_ref(ref: str) -> tuple[str, str]:
    """`telegram:123`, `console:ana`, or a bare Telegram id `123`."""
    channel, _, user = ref.strip().rpartition(":")
    return (channel or "telegram", user)


async def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with database_session(settings) as session:
        return await work(session)


def _change_role(ref: str, role: Role, *, lower_only: bool) -> None:
    """Set a person's role from the shell; admins are only ever those of ADMIN_IDS."""
    from bot.cohorts.service import RANK

    settings = settings_or_exit()
    channel, user = parse_person_ref(ref)
    listed = (channel, user) in settings.admins
    if role is Role.admin or listed:
        who = f"{channel}:{user}"
        raise fail(
            f"Admins are the people in ADMIN_IDS: to make {who} an admin, add it there; to take "
            f"the role away, remove it there. Then restart the bot."
            if role is Role.admin
            else f"{who} is in ADMIN_IDS, so stays an admin: remove it there and restart the bot."
        )

    async def work(session: AsyncSession) -> tuple[str, str] | None:
        person = await find_person(session, channel, user)  # a linked account: its person
        if person is None:
            return None
        before = person.role
        if lower_only and RANK.get(Role(before), 0) < RANK[role]:
            return person.display_name or user, before
        person.role = role
        session.add(person)
        await session.commit()
        return person.display_name or user, before

    done = run_async(_with_session(settings, work))
    if done is None:
        raise fail(
            f"Nobody {channel}:{user} has written to the bot yet; ask them to send /start first."
        )
    name, before = done
    if lower_only and RANK.get(Role(before), 0) < RANK[role]:
        raise fail(f"{name} is {before}; demote only lowers a role (to raise it: promote).")
    typer.echo(f"{name} ({channel}:{user}) is now {role.value}.")


@users_app.command("promote")
def promote(
    ref: Annotated[str, typer.Argument(help="telegram:ID, console:NAME, or a Telegram user id.")],
    role: Annotated[
        Role, typer.Option(help="The new role (admins come from ADMIN_IDS only).")
    ] = Role.lecturer,
) -> None:
    """Give a person a role (lecturer or coordinator; admins are set in ADMIN_IDS)."""
    _change_role(ref, role, lower_only=False)


@users_app.command("demote")
def demote(
    ref: Annotated[str, typer.Argument(help="telegram:ID, console:NAME, or a Telegram user id.")],
    role: Annotated[Role, typer.Option(help="The lower role they keep.")] = Role.trainee,
) -> None:
    """Take a lecturer's or coordinator's role away (to trainee unless --role says otherwise);
    the invites they made stop working. An admin is demoted by removing them from ADMIN_IDS."""
    _change_role(ref, role, lower_only=True)


@users_app.command("list")
def list_people(
    role: Annotated[Role | None, typer.Option(help="Only people with this role.")] = None,
) -> None:
    """Everyone who has written to the bot, newest last."""

    async def work(session: AsyncSession) -> list[Person]:
        query = select(Person).order_by(col(Person.id))
        if role is not None:
            query = query.where(Person.role == role)
        return list(await session.exec(query))

    people = run_async(_with_session(settings_or_exit(), work))
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
