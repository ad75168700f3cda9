"""Limits on guessing codes: wrong codes per person, and across all accounts at once.

The counters are rows in `join_attempts`, so every worker sees the same ones; rows older than a
day are pruned as new ones come. A person's updates are already serialised (a keyed lock, and an
advisory lock across PostgreSQL workers), so their own count cannot race; the count across all
accounts is approximate by a few rows at most, which is fine for a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.db.models import JoinAttempt

KEEP = timedelta(days=1)  # how long attempts stay for a look afterwards; the limits need minutes


@dataclass(frozen=True)
class JoinLimits:
    max_failures: int  # wrong codes per person within `window`...
    window: timedelta
    lockout: timedelta  # ...lock them out this long after the last of them
    global_max_failures: int  # wrong codes of all accounts within `window` that mean an attack
    slow: timedelta  # during one: the wait after each person's wrong code

    @classmethod
    def of(cls, settings: Settings) -> JoinLimits:
        return cls(
            max_failures=settings.join_max_failures,
            window=timedelta(minutes=settings.join_failure_window_minutes),
            lockout=timedelta(minutes=settings.join_lockout_minutes),
            global_max_failures=settings.join_global_max_failures,
            slow=timedelta(minutes=settings.join_slow_minutes),
        )


async def may_try_again_at(
    session: AsyncSession, person_id: int, now: datetime, limits: JoinLimits
) -> datetime | None:
    """When this person may open a code again, or None when they may now. Locked out: their
    last `max_failures` wrong codes fell within `window` and `lockout` has not passed since the
    last one. Slowed: many accounts together failed within `window` and this person failed less
    than `slow` ago. Someone who never failed is never held back."""
    since = now - max(limits.window + limits.lockout, limits.slow)
    recent = list(
        await session.exec(
            select(JoinAttempt.at)
            .where(
                JoinAttempt.person_id == person_id,
                col(JoinAttempt.ok).is_(False),
                col(JoinAttempt.at) > since,
            )
            .order_by(col(JoinAttempt.at).desc())
            .limit(limits.max_failures)
        )
    )
    if not recent:
        return None
    last = recent[0]
    many = len(recent) >= limits.max_failures and last - recent[-1] <= limits.window
    if many and now < last + limits.lockout:
        return last + limits.lockout
    if now < last + limits.slow:
        everyone = await session.exec(
            select(func.count()).where(
                col(JoinAttempt.ok).is_(False), col(JoinAttempt.at) > now - limits.window
            )
        )
        if everyone.one() >= limits.global_max_failures:
            return last + limits.slow
    return None


async def record_attempt(
    session: AsyncSession, person_id: int, now: datetime, *, ok: bool, cohort_id: int | None
) -> None:
    """Count one opened code (in the caller's transaction) and forget those older than a day."""
    session.add(JoinAttempt(person_id=person_id, at=now, ok=ok, cohort_id=cohort_id))
    await session.exec(delete(JoinAttempt).where(col(JoinAttempt.at) < now - KEEP))
