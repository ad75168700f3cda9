"""A person's own data: everything we keep about them, and forgetting them."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Any

from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import (
    ActivityDay,
    Certificate,
    Cohort,
    LessonProgress,
    Membership,
    Person,
    QuizAnswer,
    ReviewItem,
    Role,
)

FORGOTTEN_CHANNEL = "forgotten"


def _plain(row: SQLModel, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in row.model_dump().items() if k not in skip}


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


async def personal_data(session: AsyncSession, person: Person) -> bytes:
    """Everything stored about the person, as a readable JSON document."""
    pid = person.id

    async def rows(model: type[SQLModel], *skip: str) -> list[dict[str, Any]]:
        found = await session.exec(select(model).where(col(model.person_id) == pid))  # type: ignore[attr-defined]
        return [_plain(row, *skip) for row in found]

    cohorts = await session.exec(
        select(Cohort.name, Membership.joined_at)
        .join(Membership, col(Membership.cohort_id) == col(Cohort.id))
        .where(Membership.person_id == pid)
    )
    document = {
        "person": _plain(person),
        "cohorts": [{"name": name, "joined_at": joined} for name, joined in cohorts],
        "lesson_progress": await rows(LessonProgress, "id", "person_id"),
        "quiz_answers": await rows(QuizAnswer, "id", "person_id"),
        "review_queue": await rows(ReviewItem, "id", "person_id"),
        "days_studied": [r["day"] for r in await rows(ActivityDay)],
        "certificates": await rows(Certificate, "id", "person_id"),
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_default).encode()


async def forget(session: AsyncSession, person: Person) -> None:
    """Delete what identifies the person; their answers stay only as anonymous numbers."""
    await session.exec(delete(Certificate).where(col(Certificate.person_id) == person.id))  # type: ignore[call-overload]
    person.channel = FORGOTTEN_CHANNEL
    person.channel_user_id = f"{person.id}-{uuid.uuid4().hex[:16]}"
    person.display_name = ""
    person.role = Role.trainee.value
    person.blocked = True  # nothing is ever sent to a forgotten person
    session.add(person)
