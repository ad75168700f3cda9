"""Who is looking at a dashboard page, and which classes they may see: the one place that
decides it (every page asks `may_see_class` or `visible_classes`, never its own rule).

Admins and coordinators see every class; a lecturer only the classes they teach; a trainee none
(staff pages refuse them before any of this is asked).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.db.models import Cohort, Membership, Person, Role
from bot.db.roles import RANK


@dataclass(frozen=True)
class Viewer:
    """The signed-in person a page is for; `csrf` goes in every form they send."""

    person_id: int
    role: Role
    language: str
    name: str
    csrf: str

    def at_least(self, role: Role) -> bool:
        """Whether their role is `role` or above (admin > coordinator > lecturer > trainee)."""
        return RANK[self.role] >= RANK[role]

    @property
    def sees_every_class(self) -> bool:
        return self.at_least(Role.coordinator)

    @property
    def is_staff(self) -> bool:
        """A lecturer, coordinator or admin: someone the dashboard is for."""
        return self.at_least(Role.lecturer)


def may_see_class(viewer: Viewer, cohort: Cohort) -> bool:
    """Whether `viewer` may see the class `cohort` (and its people, plans, questions)."""
    if viewer.sees_every_class:
        return True
    return viewer.role is Role.lecturer and cohort.lecturer_id == viewer.person_id


async def class_for(session: AsyncSession, viewer: Viewer, cohort_id: int) -> Cohort | None:
    """The class `cohort_id` when it exists and `viewer` may see it; None otherwise (a page
    answers both the same, so a lecturer cannot learn which other classes exist)."""
    cohort = await session.get(Cohort, cohort_id)
    if cohort is None or not may_see_class(viewer, cohort):
        return None
    return cohort


@dataclass(frozen=True)
class ClassRow:
    """A class as the home page lists it."""

    cohort: Cohort
    lecturer: str  # their name; "" when the class has none
    members: int


async def visible_classes(session: AsyncSession, viewer: Viewer) -> list[ClassRow]:
    """The classes `viewer` may see, by name, with their lecturer's name and member count."""
    members = (
        select(Membership.cohort_id, func.count().label("members"))
        .group_by(col(Membership.cohort_id))
        .subquery()
    )
    query = (
        select(Cohort, Person.display_name, members.c.members)
        .outerjoin(Person, col(Person.id) == col(Cohort.lecturer_id))
        .outerjoin(members, members.c.cohort_id == col(Cohort.id))
        .order_by(col(Cohort.name), col(Cohort.id))
    )
    if not viewer.sees_every_class:
        if viewer.role is not Role.lecturer:
            return []
        query = query.where(col(Cohort.lecturer_id) == viewer.person_id)
    rows = await session.exec(query)
    return [ClassRow(cohort, lecturer or "", int(count or 0)) for cohort, lecturer, count in rows]
