"""ADMIN_IDS is the source of truth for admins: at start-up and on each message."""

from __future__ import annotations

from sqlmodel import select

from bot.db.models import Person, Role
from bot.i18n import Translator
from bot.runtime import Runtime
from tests.conftest import Trainee, make_settings, migrated_runtime

en = Translator("en")


async def roles(runtime: Runtime) -> dict[str, str]:
    async with runtime.sessions() as session:
        people = await session.exec(select(Person))
        return {f"{p.channel}:{p.channel_user_id}": p.role for p in people}


async def test_start_up_demotes_admins_no_longer_listed_and_promotes_listed_ones(
    database_url: str,
) -> None:
    runtime = await migrated_runtime(make_settings(database_url, admin_ids="test:old"))
    try:
        await Trainee(runtime, "old", "Old", "en").send("/help")
        await Trainee(runtime, "new", "New", "en").send("/help")
        await Trainee(runtime, "lec", "Lec", "en").send("/help")
        async with runtime.sessions() as session:
            lec = (await session.exec(select(Person).where(Person.channel_user_id == "lec"))).one()
            lec.role = Role.lecturer
            session.add(lec)
            await session.commit()
    finally:
        await runtime.close()
    assert (await roles(runtime))["test:old"] == "admin"
    # restarted with `old` removed from ADMIN_IDS and `new` added: nobody has written since
    restarted = await migrated_runtime(make_settings(database_url, admin_ids="test:new, 77"))
    try:
        assert await roles(restarted) == {
            "test:old": "trainee",
            "test:new": "admin",
            "test:lec": "lecturer",
        }
    finally:
        await restarted.close()


async def test_an_admin_not_in_admin_ids_is_demoted_on_their_next_message(
    database_url: str,
) -> None:
    runtime = await migrated_runtime(make_settings(database_url, admin_ids="test:boss"))
    try:
        sneaky = Trainee(runtime, "sneaky", "Sneaky", "en")
        await sneaky.send("/help")
        async with runtime.sessions() as session:  # made admin behind the running bot's back
            found = (
                await session.exec(select(Person).where(Person.channel_user_id == "sneaky"))
            ).one()
            found.role = Role.admin
            session.add(found)
            await session.commit()
        replies = await sneaky.send("/invite_coordinator")
        assert [r.text for r in replies] == [en("access.denied")]
        assert (await roles(runtime))["test:sneaky"] == "trainee"
    finally:
        await runtime.close()
