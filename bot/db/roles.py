"""Who may do what: the order of roles."""

from __future__ import annotations

from bot.db.models import Person, Role

RANK = {Role.trainee: 0, Role.lecturer: 1, Role.coordinator: 2, Role.admin: 3}


def at_least(person: Person, role: Role) -> bool:
    """Whether the person's role is `role` or above (admin > coordinator > lecturer > trainee)."""
    return RANK.get(Role(person.role), 0) >= RANK[role]
