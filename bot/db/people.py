"""Queries about people, in domain words."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.messages import Sender
from bot.db.models import OUTBOX_WAITING, Delivery, DeliveryKind, Person, ProcessedUpdate, Role
from bot.db.person_lock import lock_person
from bot.db.processed import REF_LENGTH
from bot.i18n import normalise_language
from bot.zones import first_zone

log = logging.getLogger(__name__)

# last_seen_at is refreshed at most this often, so most updates write nothing just for it.
SEEN_RESOLUTION = timedelta(minutes=1)


async def find_person(session: AsyncSession, channel: str, user_id: str) -> Person | None:
    """The person who writes from `channel:user_id`: through a linked account (an alias), the
    person it belongs to."""
    result = await session.exec(
        select(Person).where(Person.channel == channel, Person.channel_user_id == user_id)
    )
    found = result.first()
    if found is not None and found.alias_of is not None:
        return await session.get(Person, found.alias_of)
    return found


async def aliases_of(session: AsyncSession, person_id: int) -> list[Person]:
    """The person's accounts on other channels (/link), oldest first."""
    found = await session.exec(
        select(Person).where(col(Person.alias_of) == person_id).order_by(col(Person.id))
    )
    return list(found)


# Built once: making the statement costs more Python than running it (bench/updates.py).
_ARRIVAL = select(
    Person,
    exists()
    .where(
        col(Delivery.person_id) == col(Person.id),
        col(Delivery.kind) == DeliveryKind.reply,
        col(Delivery.status).in_(OUTBOX_WAITING),
    )
    .label("waiting"),
    exists()
    .where(
        col(ProcessedUpdate.channel) == bindparam("channel"),
        col(ProcessedUpdate.ref) == bindparam("ref"),
    )
    .correlate(None)
    .label("applied"),
).where(Person.channel == bindparam("channel"), Person.channel_user_id == bindparam("user_id"))


@dataclass
class Arrival:
    """Who sent an update, and what the database knows about it, read in one query."""

    person: Person
    applied: bool = False  # the update was applied before: this is a redelivery
    replies_waiting: bool = False  # earlier replies to this person wait in the outbox


async def arrival(
    session: AsyncSession,
    sender: Sender,
    update_ref: str,
    *,
    now: datetime,
    default_language: str,
    default_timezone: str,
    admins: frozenset[tuple[str, str]] = frozenset(),
) -> Arrival:
    """The person behind `sender`, whether the update `update_ref` ("": none) was applied
    before, and whether replies to them wait in the outbox: one round trip to the database for
    everyone who has written before, the work of every update. A new person is created (and
    committed) on first contact, their zone guessed from the language tag their client sends
    (bot.zones). ADMIN_IDS decides who is an admin: people listed become admins, an admin no
    longer listed becomes a trainee. Call it holding the person's lock (bot.db.person_lock); a
    new person's commit ends it, so it is taken again."""
    found = (
        await session.exec(
            _ARRIVAL,
            params={
                "channel": sender.channel,
                "user_id": sender.user_id,
                "ref": update_ref[:REF_LENGTH],  # "" matches no applied update
            },
        )
    ).first()
    if found is None:  # first contact; or they asked to be forgotten while this update waited
        person = await _first_contact(
            session, sender, now, default_language, default_timezone, admins
        )
        if not session.in_transaction():  # the new person was committed: lock again
            await lock_person(session, sender)
        # Nothing of a person who has just been created was applied before. (An update applied
        # before its sender asked to be forgotten, redelivered after, makes them anew: Telegram
        # redelivers only what was never acknowledged, so only after a crash in between.)
        return Arrival(person)
    person = found[0]
    if person.alias_of is not None:  # another channel's account of a linked person (/link)
        return await _through_alias(session, person, sender, now, admins, applied=bool(found[2]))
    _refresh(person, sender, now, admins)
    return Arrival(person, applied=bool(found[2]), replies_waiting=bool(found[1]))


async def _through_alias(
    session: AsyncSession,
    alias: Person,
    sender: Sender,
    now: datetime,
    admins: frozenset[tuple[str, str]],
    *,
    applied: bool,
) -> Arrival:
    """The person `alias` belongs to, who now writes from the alias's channel: they take its
    channel id (scheduled messages go where they last wrote) and the alias takes theirs. The
    rare path: only on the first message after a change of channel."""
    person = await session.get(Person, alias.alias_of)
    assert person is not None and person.id is not None  # alias_of cascades on delete
    await take_over_identity(session, person, alias)
    _refresh(person, sender, now, admins)
    waiting = await session.exec(
        select(
            exists().where(
                col(Delivery.person_id) == person.id,
                col(Delivery.kind) == DeliveryKind.reply,
                col(Delivery.status).in_(OUTBOX_WAITING),
            )
        )
    )
    return Arrival(person, applied=applied, replies_waiting=bool(waiting.one()))


async def take_over_identity(session: AsyncSession, person: Person, alias: Person) -> None:
    """Swap the channel identities of `person` and its `alias`: the person gets the channel id
    they write from now, the alias the other one. Three writes so that (channel,
    channel_user_id) stays unique at every step."""
    theirs = (alias.channel, alias.channel_user_id, alias.channel_phone)
    mine = (person.channel, person.channel_user_id, person.channel_phone)
    alias.channel_user_id = f"~{alias.id}"  # no channel's ids start with "~"
    session.add(alias)
    await session.flush()
    person.channel, person.channel_user_id, person.channel_phone = theirs
    session.add(person)
    await session.flush()
    alias.channel, alias.channel_user_id, alias.channel_phone = mine
    await session.flush()


async def _first_contact(
    session: AsyncSession,
    sender: Sender,
    now: datetime,
    default_language: str,
    default_timezone: str,
    admins: frozenset[tuple[str, str]],
) -> Person:
    """A new person for `sender`, committed (see `arrival`)."""
    admin = (sender.channel, sender.user_id) in admins
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
        found = await find_person(session, sender.channel, sender.user_id)
        assert found is not None
        _refresh(found, sender, now, admins)
        return found
    return person


def _refresh(
    person: Person, sender: Sender, now: datetime, admins: frozenset[tuple[str, str]]
) -> None:
    """What a message from them tells: they are here, their name, that they did not block the
    bot, and (ADMIN_IDS) whether they are an admin."""
    admin = (sender.channel, sender.user_id) in admins
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
                col(Person.alias_of).is_(None),  # an alias has no role: its person writes there
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
