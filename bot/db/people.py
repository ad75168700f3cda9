"""Queries about people, in domain words."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Sender
from bot.db.models import Person, Role
from bot.i18n import normalise_language
from bot.zones import first_zone

log = logging.getLogger(__name__)

# last_seen_at is refreshed at most this often, so most updates write nothing just for it.
SEEN_RESOLUTION = timedelta(minutes=1)


async def find_person(session: AsyncSession, channel: str, user_id: str) -> Person | None:
    result = await session.exec(
        select(Person).where(Person.channel == channel, Person.channel_user_id == user_id)
    )
    return result.first()


async def person_for(
    session: AsyncSession,
    sender: Sender,
    *,
    now: datetime,
    default_language: str,
    default_timezone: str,
    admins: frozenset[tuple[str, str]] = frozenset(),
) -> Person:
    """The person behind `sender`, created (and committed) on first contact, their zone guessed
    from the language tag their client sends (bot.zones). ADMIN_IDS decides who is an admin:
    people listed become admins, an admin no longer listed becomes a trainee."""
    person = await find_person(session, sender.channel, sender.user_id)
    admin = (sender.channel, sender.user_id) in admins
    if person is None:
        person = Person(
            role=Role.admin if admin else Role.trainee,
            channel=sender.channel,
            channel_user_id=sender.user_id,
            display_name=sender.display_name[:128],
            language=normalise_language(sender.language_hint, default_language),
            timezone=first_zone(sender.language_hint, default_timezone),
            created_at=now,
            last_seen_at=now,
        )
        session.add(person)
        try:
            await session.commit()
        except IntegrityError:  # the same person's first two messages raced; take the winner
            await session.rollback()
            person = await find_person(session, sender.channel, sender.user_id)
            assert person is not None
        return person
    if now - person.last_seen_at >= SEEN_RESOLUTION:
        person.last_seen_at = now
    if sender.display_name and sender.display_name[:128] != person.display_name:
        person.display_name = sender.display_name[:128]
    if person.blocked:  # they wrote to us, so they unblocked the bot
        person.blocked = False
    if admin and person.role != Role.admin:
        person.role = Role.admin
    elif not admin and person.role == Role.admin:
        log.warning(
            "%s:%s is no longer in ADMIN_IDS: now a trainee", sender.channel, sender.user_id
        )
        person.role = Role.trainee
    return person


async def sync_admins(session: AsyncSession, admins: frozenset[tuple[str, str]]) -> None:
    """Make the people table agree with ADMIN_IDS and commit: admins not listed become trainees
    (the safe role), listed people who have written before become admins."""
    for person in await session.exec(select(Person).where(Person.role == Role.admin)):
        if (person.channel, person.channel_user_id) not in admins:
            log.warning(
                "%s:%s is no longer in ADMIN_IDS: now a trainee",
                person.channel,
                person.channel_user_id,
            )
            person.role = Role.trainee
            session.add(person)
    for channel, user_id in admins:
        await session.exec(
            update(Person)
            .where(
                col(Person.channel) == channel,
                col(Person.channel_user_id) == user_id,
                col(Person.role) != Role.admin,
            )
            .values(role=Role.admin)
        )
    await session.commit()


async def mark_blocked(session: AsyncSession, channel: str, user_id: str) -> None:
    """Remember that this person blocked the bot: nothing more is sent to them."""
    await session.exec(
        update(Person)
        .where(col(Person.channel) == channel, col(Person.channel_user_id) == user_id)
        .values(blocked=True)
    )
    await session.commit()
