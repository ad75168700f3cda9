"""The numbered choices last offered to a person, so that typing "2" (or the choice's words) on a
channel without buttons means what tapping it would (bot.core.choices.typed_choice).

One set per person, replaced by the next set offered, written in the transaction that commits
the answer carrying it (bot.pipeline.app). `Person.choices_at` says whether a set is kept, so a
typed message from someone who was never offered one (everyone on Telegram) costs no query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.choices import typed_choice
from bot.core.messages import NumberedChoice
from bot.db.models import LABEL_KEPT, PAYLOAD_KEPT, OfferedChoice, Person

# A set older than this is not read (WeChat's window after a message is 48 hours: an answer to
# choices offered earlier cannot be a reply to them) and is pruned.
KEEP = timedelta(hours=48)

# Built once: making a statement costs more Python than running it (bench/updates.py).
_FORGET = (
    delete(OfferedChoice)
    .where(col(OfferedChoice.person_id) == bindparam("person"))
    .execution_options(synchronize_session=False)
)
_ADD = insert(OfferedChoice)
_READ = select(OfferedChoice).where(col(OfferedChoice.person_id) == bindparam("person"))


async def remember_choices(
    session: AsyncSession, person: Person, choices: Sequence[NumberedChoice], now: datetime
) -> None:
    """Keep `choices` as the person's set, replacing the one before (nothing when empty: the
    set before stays until replaced or too old). Payloads too long to keep are left out."""
    assert person.id is not None
    rows = [
        {
            "person_id": person.id,
            "number": choice.number,
            "label": choice.label[:LABEL_KEPT],
            "payload": choice.payload,
            "offered_at": now,
        }
        for choice in choices
        if len(choice.payload) <= PAYLOAD_KEPT
    ]
    if not rows:
        return
    if person.choices_at is not None:
        await session.exec(_FORGET, params={"person": person.id})
    await session.exec(_ADD, params=rows)
    person.choices_at = now
    session.add(person)


async def chosen_payload(
    session: AsyncSession, person: Person, text: str, now: datetime, *, tap_id: str = ""
) -> str | None:
    """The payload of the kept choice `text` names (its number or its words; with `tap_id`, the
    id a tap on a choice came back with, checked against its words: `typed_choice`); None when
    it names none, or no recent set is kept (then without a query)."""
    if person.choices_at is None or now - person.choices_at >= KEEP or person.id is None:
        return None
    kept = await session.exec(_READ, params={"person": person.id})
    choices = [NumberedChoice(row.number, row.label, row.payload) for row in kept]
    return typed_choice(choices, text, tap_id=tap_id or None)


async def prune(session: AsyncSession, now: datetime) -> int:
    """Drop sets older than `KEEP`; returns how many choices went. Their people's `choices_at`
    stays: it is read only with `KEEP` and replaced with the next set."""
    result = await session.exec(
        delete(OfferedChoice)
        .where(col(OfferedChoice.offered_at) < now - KEEP)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
