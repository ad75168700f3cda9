"""A person's own data: everything we keep about them, and forgetting them.

Both walk every table of the schema and find the person by its foreign keys to `people`, so a
table added later is in /mydata and is cleared by /forgetme without a change here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, or_, update
from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Announcement, Cohort, Delivery, Person, TraineeQuestion
from bot.db.people import aliases_of
from bot.lessons.model import Course
from bot.qa.entries import forget_wording, from_questions_of
from bot.stats.queries import keep_anonymous_totals

# Rows that belong to others and only name the person as who made them: they stay, unlinked.
# Every other row that names the person is theirs and is deleted.
UNLINKED = {
    ("cohorts", "lecturer_id"),  # the class goes on without its lecturer
    ("lesson_plans", "created_by"),
    ("role_invites", "created_by"),
    ("answer_entries", "lecturer_id"),  # a lecturer's answer stays in the answers, unsigned
}


# Secrets of the person's own that "my data" names but never prints: a signed-in browser's CSRF
# token (the cookie's value is stored only as a hash). Shown as HIDDEN.
SECRET_COLUMNS = {("web_sessions", "csrf_token")}
HIDDEN = "(hidden)"


def _person_columns(table: Table) -> list[Column[Any]]:
    """The columns of `table` that hold a person's id (its foreign keys to `people`)."""
    return [
        column
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name == Person.__tablename__
    ]


def _tables() -> list[Table]:
    return [t for t in SQLModel.metadata.sorted_tables if t.name != Person.__tablename__]


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):  # a kept file (a download, a held reply's attachment): its size
        return f"({len(value)} bytes)"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _shown(table: str, row: dict[str, Any]) -> dict[str, Any]:
    return {k: HIDDEN if (table, k) in SECRET_COLUMNS else v for k, v in row.items()}


async def personal_data(session: AsyncSession, person: Person) -> bytes:
    """Everything stored about the person, as a readable JSON document: their own row under
    "person", then, per table, every row that names them (memberships with the class's name);
    under "linked_accounts", each of their accounts on other channels (/link) with its rows."""
    await session.flush()  # what this update changed is theirs too
    assert person.id is not None
    document = await _rows_naming(session, person.id)
    document["linked_accounts"] = [
        await _rows_naming(session, alias.id or 0) for alias in await aliases_of(session, person.id)
    ]
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_default).encode()


async def _rows_naming(session: AsyncSession, person_id: int) -> dict[str, Any]:
    connection = await session.connection()
    people = Person.__table__  # type: ignore[attr-defined]
    (me,) = await connection.execute(people.select().where(people.c.id == person_id))
    document: dict[str, Any] = {"person": dict(me._mapping)}
    for table in _tables():
        columns = _person_columns(table)
        if not columns:
            continue
        found = await connection.execute(
            table.select().where(or_(*(c == person_id for c in columns)))
        )
        document[table.name] = [_shown(table.name, dict(row._mapping)) for row in found]
    # Lecturers' answers kept with the person's wording of the question: no column names them.
    document["answer_entries_from_your_questions"] = [
        {"course_id": e.course_id, "language": e.language, "question": e.question}
        for e in await from_questions_of(session, person_id)
    ]
    memberships = document.get("memberships", [])
    ids = [m["cohort_id"] for m in memberships]
    classes = await session.exec(select(Cohort.id, Cohort.name).where(col(Cohort.id).in_(ids)))
    names = {cohort_id: name for cohort_id, name in classes}
    for membership in memberships:
        membership["cohort"] = names.get(membership["cohort_id"], "")
    return document


async def forget(
    session: AsyncSession, person: Person, courses: Mapping[str, Course], now: datetime
) -> None:
    """Delete the person and every row that names them: progress, answers, reviews, days,
    certificates, memberships, deliveries, the questions they asked and the announcements they
    wrote (with the messages that would still show them). Lecturers' answers made from their
    questions stay, the question reworded (bot.qa.entries.forget_wording). What they added to
    the class statistics is kept first, as anonymous totals. Classes they teach, plans and
    invites they made stay, with no one named. Nothing left points back to them. Their
    accounts on other channels (/link) go the same way first."""
    pid = person.id
    assert pid is not None
    for alias in await aliases_of(session, pid):
        await forget(session, alias, courses, now)
    await keep_anonymous_totals(session, courses, pid, now)
    await forget_wording(session, pid, courses, now)  # before their questions go
    asked = select(TraineeQuestion.id).where(TraineeQuestion.person_id == pid)
    wrote = select(Announcement.id).where(Announcement.author_id == pid)
    refs = [f"q:{n}" for n in await session.exec(asked)]
    refs += [f"ann:{n}" for n in await session.exec(wrote)]
    if refs:  # a lecturer's copy of their question, a class's copy of their announcement
        await session.exec(delete(Delivery).where(col(Delivery.ref).in_(refs)))
    for table in reversed(_tables()):
        for column in _person_columns(table):
            if (table.name, column.name) in UNLINKED:
                await session.exec(update(table).where(column == pid).values({column.name: None}))
            else:
                await session.exec(table.delete().where(column == pid))
    await session.delete(person)
    await session.flush()
