"""Cohort and role queries in domain words; handlers never write SQL."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import qrcode
from qrcode.image.pil import PilImage
from sqlalchemy import exists, func
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.codes import make_code, normalise_code
from bot.db.models import (
    ActivityDay,
    Cohort,
    LessonProgress,
    LessonStatus,
    LinkCode,
    Membership,
    Person,
    Role,
    RoleInvite,
)
from bot.db.roles import RANK, at_least
from bot.db.upsert import insert_ignore
from bot.localtime import QuietHours
from bot.scheduling.reminders import next_reminder_at
from bot.zones import first_zone

# Who may make an invite to each role; the same rule keeps an invite alive: it dies when its
# maker no longer holds such a role.
INVITE_NEEDS = {Role.lecturer: Role.coordinator, Role.coordinator: Role.admin}
STUCK_AFTER = timedelta(days=7)


async def unused_code(session: AsyncSession) -> str:
    """A code no cohort, role invite or link code (/link) uses yet."""
    while True:
        code = make_code()
        taken = await session.exec(select(Cohort.id).where(Cohort.invite_code == code))
        if taken.first() is None:
            other = await session.exec(select(RoleInvite.id).where(RoleInvite.code == code))
            if other.first() is None and await session.get(LinkCode, code) is None:
                return code


async def create_cohort(
    session: AsyncSession,
    lecturer: Person,
    name: str,
    course_id: str,
    now: datetime,
    timezone: str | None = None,
) -> Cohort:
    """A new class of the lecturer's, in `timezone` (the lecturer's own zone if not given)."""
    cohort = Cohort(
        name=name[:128],
        course_id=course_id,
        timezone=timezone or lecturer.timezone,
        lecturer_id=lecturer.id,
        invite_code=await unused_code(session),
        created_at=now,
    )
    session.add(cohort)
    await session.flush()
    return cohort


async def cohorts_visible_to(session: AsyncSession, person: Person) -> list[Cohort]:
    """A lecturer's own cohorts; every cohort for coordinators and admins."""
    query = select(Cohort).order_by(col(Cohort.created_at), col(Cohort.id))
    if not at_least(person, Role.coordinator):
        query = query.where(Cohort.lecturer_id == person.id)
    return list(await session.exec(query))


async def cohort_for(session: AsyncSession, person: Person, cohort_id: int) -> Cohort | None:
    """The cohort if this person may manage it (its lecturer, or a coordinator), else None."""
    cohort = await session.get(Cohort, cohort_id)
    if cohort is None:
        return None
    if at_least(person, Role.coordinator) or cohort.lecturer_id == person.id:
        return cohort
    return None


async def change_course(session: AsyncSession, cohort: Cohort, course_id: str) -> None:
    """The class takes another course; its members' current course follows."""
    cohort.course_id = course_id
    session.add(cohort)
    await session.exec(
        update(Person).where(col(Person.cohort_id) == cohort.id).values(course_id=course_id)
    )


def first_class_zone(lecturer: Person, language_tag: str | None) -> str:
    """The zone a new class starts on: the lecturer's if they chose it, else the guess from the
    language tag their client sends now (or the language they use here), else their zone."""
    if lecturer.timezone_chosen:
        return lecturer.timezone
    return first_zone(language_tag or lecturer.language, lecturer.timezone)


async def change_zone(
    session: AsyncSession,
    cohort: Cohort,
    zone: str,
    now: datetime,
    quiet: QuietHours,
    default_time: str,
) -> int:
    """The class runs on `zone` from now on, and so do the people studying with it now who did
    not choose their own zone: their next reminder is re-planned there. How many moved."""
    cohort.timezone = zone
    session.add(cohort)
    followers = await session.exec(
        select(Person).where(
            Person.cohort_id == cohort.id,
            col(Person.timezone_chosen).is_(False),
            Person.timezone != zone,
        )
    )
    moved = 0
    for person in followers:
        person.timezone = zone
        person.next_reminder_at = next_reminder_at(person, now, quiet, default_time=default_time)
        session.add(person)
        moved += 1
    return moved


async def rotate_code(session: AsyncSession, cohort: Cohort) -> str:
    """A new invite code; the old one stops working at once."""
    cohort.invite_code = await unused_code(session)
    session.add(cohort)
    return cohort.invite_code


@dataclass(frozen=True)
class Invitation:
    """What a typed or linked code opens."""

    cohort: Cohort | None = None
    role_invite: RoleInvite | None = None


async def find_invitation(session: AsyncSession, typed: str) -> Invitation:
    code = normalise_code(typed)
    if not code:
        return Invitation()
    cohort = (await session.exec(select(Cohort).where(Cohort.invite_code == code))).first()
    if cohort is not None:
        return Invitation(cohort=cohort)
    invite = (await session.exec(select(RoleInvite).where(RoleInvite.code == code))).first()
    return Invitation(role_invite=invite)


async def enrol(session: AsyncSession, person: Person, cohort: Cohort, now: datetime) -> bool:
    """Put the person in the cohort (its course becomes theirs, and its zone unless they chose
    their own). False if already in."""
    assert person.id is not None and cohort.id is not None
    already = (
        await session.exec(
            select(Membership.id).where(
                Membership.cohort_id == cohort.id, Membership.person_id == person.id
            )
        )
    ).first()
    if already is None:
        await insert_ignore(
            session, Membership, cohort_id=cohort.id, person_id=person.id, joined_at=now
        )
    person.cohort_id, person.course_id = cohort.id, cohort.course_id
    if not person.timezone_chosen:
        person.timezone = cohort.timezone
    session.add(person)
    return already is None


async def create_role_invite(
    session: AsyncSession, by: Person, role: Role, now: datetime
) -> RoleInvite:
    invite = RoleInvite(
        code=await unused_code(session), role=role, created_by=by.id, created_at=now
    )
    session.add(invite)
    return invite


class Claim(StrEnum):
    """What opening a role invite did."""

    granted = "granted"  # the person now holds the invite's role
    already = "already"  # they already hold it or a higher one: the invite stays unused
    used = "used"  # someone opened it first
    expired = "expired"  # too old, or its maker may no longer make such an invite


def roles_from(lowest: Role) -> list[Role]:
    """`lowest` and every role above it."""
    return [role for role in Role if RANK[role] >= RANK[lowest]]


async def claim_role_invite(
    session: AsyncSession, invite: RoleInvite, person: Person, now: datetime, ttl: timedelta
) -> Claim:
    """Give the invite's role to the person (never lowering anyone) in one conditional UPDATE:
    it takes the invite only while unused, younger than `ttl` and made by someone who still may
    make it, so of many people opening it at once, on any number of workers, exactly one gets
    it. The role change joins the caller's transaction: both commit or roll back together."""
    role = Role(invite.role)
    if RANK.get(Role(person.role), 0) >= RANK[role]:
        return Claim.already
    maker = aliased(Person)
    maker_may = exists().where(
        col(maker.id) == col(RoleInvite.created_by),
        col(maker.role).in_(roles_from(INVITE_NEEDS.get(role, Role.admin))),
    )
    claim = (
        update(RoleInvite)
        .where(
            col(RoleInvite.id) == invite.id,
            col(RoleInvite.used_by).is_(None),
            col(RoleInvite.created_at) > now - ttl,
            maker_may,
        )
        .values(used_by=person.id, used_at=now)
    )
    result: CursorResult[tuple[()]] = await session.exec(claim)
    if result.rowcount != 1:
        await session.refresh(invite)
        return Claim.used if invite.used_by is not None else Claim.expired
    invite.used_by, invite.used_at = person.id, now
    person.role = role
    session.add(person)
    return Claim.granted


@dataclass(frozen=True)
class Member:
    person: Person
    passed: int
    failed_not_retried: bool
    last_active: datetime | None
    idle: bool  # no activity for STUCK_AFTER (and the course not finished)

    @property
    def stuck(self) -> bool:
        return self.idle or self.failed_not_retried


async def members(
    session: AsyncSession, cohort: Cohort, lessons: tuple[str, ...], now: datetime
) -> list[Member]:
    """The cohort's trainees with their progress, and whether each is stuck: no activity for 7
    days, or a failed quiz not retried."""
    people = list(
        await session.exec(
            select(Person)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .where(Membership.cohort_id == cohort.id)
            .order_by(col(Person.display_name), col(Person.id))
        )
    )
    ids = [p.id for p in people]
    passed: dict[int, int] = {}
    failed: set[int] = set()
    rows = await session.exec(
        select(LessonProgress.person_id, LessonProgress.status, func.count())
        .where(
            col(LessonProgress.person_id).in_(ids),
            LessonProgress.course_id == cohort.course_id,
            col(LessonProgress.lesson).in_(lessons),
        )
        .group_by(col(LessonProgress.person_id), col(LessonProgress.status))
    )
    for person_id, status, count in rows:
        if status == LessonStatus.passed:
            passed[person_id] = count
        elif status == LessonStatus.failed:
            failed.add(person_id)
    last_day = dict(
        (
            await session.exec(
                select(ActivityDay.person_id, func.max(ActivityDay.day))
                .where(col(ActivityDay.person_id).in_(ids))
                .group_by(col(ActivityDay.person_id))
            )
        ).all()
    )
    joined = dict(
        (
            await session.exec(
                select(Membership.person_id, Membership.joined_at).where(
                    Membership.cohort_id == cohort.id
                )
            )
        ).all()
    )
    result = []
    for person in people:
        assert person.id is not None
        day = last_day.get(person.id)
        last = datetime(day.year, day.month, day.day, 23, 59, tzinfo=now.tzinfo) if day else None
        since = last or joined[person.id]
        complete = passed.get(person.id, 0) >= len(lessons)
        idle = now - since >= STUCK_AFTER and not complete
        result.append(Member(person, passed.get(person.id, 0), person.id in failed, last, idle))
    return result


def qr_png(data: str) -> bytes:
    """A QR code picture of `data` (the invite link), big enough to print on a classroom wall."""
    image = qrcode.make(data, box_size=12, border=4, image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
