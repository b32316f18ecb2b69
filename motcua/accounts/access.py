"""Who may act where: the only place that decides a user's unit scope (house style R4).

A role granted in a unit covers that unit, everything below it, and everything that became it
through a reorganisation (a leader of the new Phường Bắc Kạn sees the dossiers of the four units
merged into it, §10.2). Administrators and superusers cover every unit.
"""

from __future__ import annotations

from collections.abc import Iterable

from motcua.accounts.choices import Role
from motcua.accounts.models import RoleAssignment, User
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import unit_lineage


def is_administrator(user: User) -> bool:
    return user.is_active and (
        user.is_superuser or user.assignments.filter(role=Role.ADMIN).exists()
    )


def user_roles(user: User) -> set[Role]:
    """Every role the user holds somewhere."""
    if not user.is_active:
        return set()
    return {Role(r) for r in user.assignments.values_list("role", flat=True)}


def user_unit_ids(user: User, roles: Iterable[Role]) -> frozenset[int] | None:
    """Ids of the units where the user holds one of ``roles``; None means every unit."""
    if not user.is_active:
        return frozenset()
    if is_administrator(user):
        return None
    ids: set[int] = set()
    assignments = RoleAssignment.objects.filter(user=user, role__in=list(roles)).select_related(
        "unit"
    )
    for assignment in assignments:
        ids.update(unit_lineage(assignment.unit).values_list("id", flat=True))
    return frozenset(ids)


def user_can_act(user: User, role: Role, unit: AdministrativeUnit) -> bool:
    """Whether the user holds ``role`` for ``unit`` (granted there, above it, or on a successor)."""
    scope = user_unit_ids(user, [role])
    return scope is None or unit.pk in scope
