"""The reply budget ledger of a person, kept on their row (`people.budget_*`): bot.core.ledger
decides, this reads and writes it. The channel that has a budget (WeChat) calls `record_arrival`
for each message or event of a person and `record_sent` for what it sent, in its session; a
later commit keeps them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.capabilities import Capabilities
from bot.core.ledger import Ledger, budget_left, opened, spent
from bot.db.models import Person


def ledger_of(person: Person) -> Ledger:
    """The person's ledger as kept."""
    return Ledger(person.budget_opened_at, person.budget_by_event, person.budget_spent)


def left_for(person: Person, now: datetime, capabilities: Capabilities) -> int | None:
    """How many messages may still go to the person now (None: no budget on this channel)."""
    return budget_left(ledger_of(person), now, capabilities)


def record_arrival(
    session: AsyncSession,
    person: Person,
    now: datetime,
    capabilities: Capabilities,
    *,
    by_event: bool = False,
) -> None:
    """The person wrote (or clicked, followed, scanned: `by_event`) at `now`."""
    _keep(session, person, opened(ledger_of(person), now, capabilities, by_event=by_event))


def record_sent(session: AsyncSession, person: Person, messages: int) -> None:
    """`messages` more were sent to the person."""
    if messages:
        _keep(session, person, spent(ledger_of(person), messages))


def _keep(session: AsyncSession, person: Person, ledger: Ledger) -> None:
    if ledger == ledger_of(person):
        return
    person.budget_opened_at = ledger.opened_at
    person.budget_by_event = ledger.by_event
    person.budget_spent = ledger.spent
    session.add(person)
