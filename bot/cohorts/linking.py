"""One person on several channels: a short code made on one account and sent from another joins
the two, so the person continues at the same card wherever they write from.

The account that made the code is kept: its row holds the person's progress and role from then
on. The account that sent the code becomes an alias (`people.alias_of`) that only says "this
channel id is that person" (bot.db.people.arrival follows it). What the alias had is moved over
where the kept account has nothing of the same kind (a lesson, a day, a review question, a
class); where both have one the kept one stays, except that a lesson the alias passed replaces
one the kept account has not passed (a finished lesson is never lost). The few rows that cannot
move (a second certificate of the same course, answers of a quiz replaced) stay with the alias:
/mydata shows them, /forgetme deletes them with the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Column,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    and_,
    exists,
    func,
    or_,
    update,
)
from sqlalchemy.sql import ColumnElement
from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cohorts.service import unused_code
from bot.core.codes import normalise_code
from bot.core.messages import Sender
from bot.db.models import (
    Delivery,
    DeliveryStatus,
    LessonProgress,
    LessonStatus,
    LinkCode,
    Membership,
    Person,
    QuizAnswer,
    ReviewItem,
    Role,
)
from bot.db.people import aliases_of, take_over_identity
from bot.db.person_lock import lock_person
from bot.db.roles import RANK

LINK_CODE_TTL = timedelta(minutes=15)
# Expired codes are kept this long (to say "too old" rather than "wrong"), then pruned.
KEEP_EXPIRED = timedelta(days=1)


async def new_link_code(session: AsyncSession, person: Person, now: datetime) -> str:
    """A fresh one-use code for `person`, good for LINK_CODE_TTL; it replaces their older one.
    Codes share one alphabet and shape with class codes (bot.core.codes) and never equal one."""
    assert person.id is not None
    await session.exec(
        delete(LinkCode).where(
            or_(col(LinkCode.person_id) == person.id, col(LinkCode.created_at) < now - KEEP_EXPIRED)
        )
    )
    code = await unused_code(session)
    session.add(LinkCode(code=code, person_id=person.id, created_at=now))
    await session.flush()
    return code


async def find_link_code(session: AsyncSession, typed: str) -> LinkCode | None:
    """The link code `typed` is (in any case, with or without its dash), expired or not."""
    code = normalise_code(typed)
    if not code:
        return None
    return await session.get(LinkCode, code)


class LinkResult(StrEnum):
    """What sending a link code did; each is a catalog key `link.<value>`."""

    linked = "linked"  # the two accounts are one person now
    already = "already"  # the code is this person's own (sent from the same, or a linked, account)
    expired = "expired"  # older than LINK_CODE_TTL (and now gone)
    outranks = "outranks"  # this account has a higher role than the one that made the code
    taken = "taken"  # another account used it a moment ago


@dataclass(frozen=True)
class Linked:
    result: LinkResult
    person: Person  # the person who goes on: the kept account once linked, else the sender


async def redeem(session: AsyncSession, sender: Person, link: LinkCode, now: datetime) -> Linked:
    """Join the account `sender` (who sent `link` from their channel) to the account that made
    it, in the caller's transaction. Once linked, the kept person writes from the sender's
    channel (they just did), so what is scheduled for them goes there."""
    if link.person_id == sender.id:
        return Linked(LinkResult.already, sender)
    if now - link.created_at > LINK_CODE_TTL:
        await session.exec(delete(LinkCode).where(col(LinkCode.code) == link.code))
        return Linked(LinkResult.expired, sender)
    kept = await session.get(Person, link.person_id)
    if kept is None or kept.alias_of is not None:  # forgotten, or linked elsewhere since
        return Linked(LinkResult.taken, sender)
    if RANK[Role(sender.role)] > RANK[Role(kept.role)]:
        return Linked(LinkResult.outranks, sender)
    # The kept account's own updates wait too: nothing of theirs moves while it is merged.
    await lock_person(session, Sender(kept.channel, kept.channel_user_id))
    # One use: of two accounts sending the same code at once, the one whose DELETE removes the
    # row links; the other finds nothing (PostgreSQL makes it wait for the first to commit).
    used = await session.exec(delete(LinkCode).where(col(LinkCode.code) == link.code))
    if used.rowcount != 1:
        return Linked(LinkResult.taken, sender)
    await merge(session, kept, sender)
    await take_over_identity(session, kept, sender)
    return Linked(LinkResult.linked, kept)


def _person_columns(table: Table) -> list[Column[Any]]:
    return [
        column
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name == Person.__tablename__ and column.name != "alias_of"
    ]


def _unique_keys(table: Table, column: Column[Any]) -> list[list[Column[Any]]]:
    """For each unique constraint (or primary key) of `table` holding `column`, its other
    columns: a row moved to another person must not meet one with the same values there."""
    found = []
    for constraint in table.constraints:
        columns = list(getattr(constraint, "columns", ()))
        unique = isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
        if unique and column in columns:
            found.append([c for c in columns if c is not column])
    return found


async def merge(session: AsyncSession, kept: Person, alias: Person) -> None:
    """Give `kept` what `alias` has (see the module's docstring) and make `alias` an alias."""
    kid, aid = kept.id, alias.id
    assert kid is not None and aid is not None
    await session.flush()
    await _passed_lessons_win(session, kid, aid)
    # A quiz's answers go with its lesson: only where the kept account has no such lesson.
    mine = LessonProgress.__table__.alias("mine")  # type: ignore[attr-defined]
    await session.exec(
        update(QuizAnswer)
        .where(
            col(QuizAnswer.person_id) == aid,
            ~exists().where(
                mine.c.person_id == kid,
                mine.c.course_id == QuizAnswer.course_id,
                mine.c.lesson == QuizAnswer.lesson,
            ),
        )
        .values(person_id=kid)
    )
    for table in SQLModel.metadata.sorted_tables:
        if table.name in (Person.__tablename__, QuizAnswer.__tablename__):
            continue
        for column in _person_columns(table):
            conditions: list[ColumnElement[bool]] = [column == aid]
            for others in _unique_keys(table, column):
                twin = table.alias("twin")
                same = [twin.c[column.name] == kid, *(twin.c[c.name] == c for c in others)]
                conditions.append(~exists().where(and_(*same)))
            await session.exec(update(table).where(*conditions).values({column.name: kid}))
    # What could not move and would count twice: a second membership of a class, a message
    # planned for both accounts.
    await session.exec(delete(Membership).where(col(Membership.person_id) == aid))
    await session.exec(
        update(Delivery)
        .where(col(Delivery.person_id) == aid, col(Delivery.status) == DeliveryStatus.pending)
        .values(status=DeliveryStatus.cancelled)
    )
    await session.exec(delete(LinkCode).where(col(LinkCode.person_id).in_([kid, aid])))
    # The alias's own aliases (it was linked before) are the person's now.
    await session.exec(update(Person).where(col(Person.alias_of) == aid).values(alias_of=kid))
    if kept.cohort_id is None and alias.cohort_id is not None:
        kept.cohort_id, kept.course_id = alias.cohort_id, alias.course_id
    if not kept.timezone_chosen and alias.timezone_chosen:
        kept.timezone, kept.timezone_chosen = alias.timezone, True
    kept.review_due_at = (
        await session.exec(select(func.min(ReviewItem.due_at)).where(ReviewItem.person_id == kid))
    ).one()
    session.add(kept)
    # The alias is only a way in: no role, nothing planned, nothing of its own to show.
    alias.alias_of = kid
    alias.role = Role.trainee
    alias.reminder_time = alias.next_reminder_at = alias.review_due_at = None
    alias.cohort_id = alias.course_id = alias.awaiting = None
    alias.language, alias.language_chosen = kept.language, kept.language_chosen
    session.add(alias)
    await session.flush()


async def _passed_lessons_win(session: AsyncSession, kid: int, aid: int) -> None:
    """A lesson the alias passed and the kept account has not: the kept account's attempt and
    its answers go, so the passed one (and its answers) move over."""
    theirs = LessonProgress.__table__.alias("theirs")  # type: ignore[attr-defined]
    beaten = list(
        await session.exec(
            select(LessonProgress.id, LessonProgress.course_id, LessonProgress.lesson).where(
                col(LessonProgress.person_id) == kid,
                col(LessonProgress.status) != LessonStatus.passed,
                exists().where(
                    theirs.c.person_id == aid,
                    theirs.c.course_id == LessonProgress.course_id,
                    theirs.c.lesson == LessonProgress.lesson,
                    theirs.c.status == LessonStatus.passed,
                ),
            )
        )
    )
    if not beaten:
        return
    await session.exec(
        delete(LessonProgress).where(col(LessonProgress.id).in_([b[0] for b in beaten]))
    )
    await session.exec(
        delete(QuizAnswer).where(
            col(QuizAnswer.person_id) == kid,
            or_(
                *(
                    and_(col(QuizAnswer.course_id) == course, col(QuizAnswer.lesson) == lesson)
                    for _, course, lesson in beaten
                )
            ),
        )
    )


async def linked_accounts(session: AsyncSession, person: Person) -> list[Person]:
    """The person's other channels' accounts (for /mydata)."""
    assert person.id is not None
    return await aliases_of(session, person.id)
