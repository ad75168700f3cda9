"""Claiming a role invite at the service level: one step, in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.cohorts.service import Claim, claim_role_invite, create_role_invite
from bot.db.models import Person, Role, RoleInvite
from tests.conftest import make_settings, migrated_runtime

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
TTL = timedelta(days=7)


async def test_the_role_change_commits_or_rolls_back_with_the_claim(database_url: str) -> None:
    runtime = await migrated_runtime(make_settings(database_url))
    try:
        async with runtime.sessions() as session:
            boss = Person(channel="test", channel_user_id="boss", role=Role.admin)
            ana = Person(channel="test", channel_user_id="ana")
            session.add_all([boss, ana])
            await session.flush()
            invite = await create_role_invite(session, boss, Role.lecturer, NOW)
            await session.commit()
        async with runtime.sessions() as session:
            ana_now = await session.get(Person, ana.id)
            invite_now = await session.get(RoleInvite, invite.id)
            assert ana_now is not None and invite_now is not None
            assert await claim_role_invite(session, invite_now, ana_now, NOW, TTL) is Claim.granted
            await session.rollback()  # the handler failed after the claim
        async with runtime.sessions() as session:
            stored = (await session.exec(select(RoleInvite))).one()
            role = (await session.exec(select(Person.role).where(Person.id == ana.id))).one()
            assert (stored.used_by, role) == (None, "trainee")
            ana_now = await session.get(Person, ana.id)
            assert ana_now is not None
            assert await claim_role_invite(session, stored, ana_now, NOW, TTL) is Claim.granted
            await session.commit()
        async with runtime.sessions() as session:
            stored = (await session.exec(select(RoleInvite))).one()
            role = (await session.exec(select(Person.role).where(Person.id == ana.id))).one()
            assert (stored.used_by, role) == (ana.id, "lecturer")
    finally:
        await runtime.close()
