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
from motcua.units.selectors import unit_coverers, unit_lineage


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


def user_grants(user: User) -> list[tuple[str, int]]:
    """The user's (role, unit id) grants, read once per user object (one request or command)."""
    cached: list[tuple[str, int]] | None = getattr(user, "_motcua_grants", None)
    if cached is None:
        cached = list(user.assignments.values_list("role", "unit_id"))
        user._motcua_grants = cached  # type: ignore[attr-defined]
    return cached


def user_can_act(user: User, role: Role, unit: AdministrativeUnit | int) -> bool:
    """Whether the user holds ``role`` for ``unit`` (granted there, above it, or on a successor).

    ``unit`` may be given by id. At most two queries: the user's grants (once per user
    object), and the units whose lineage holds ``unit`` (only when no grant is on it directly).
    """
    if not user.is_active:
        return False
    grants = user_grants(user)
    if user.is_superuser or any(granted == Role.ADMIN for granted, _ in grants):
        return True
    units = {unit_id for granted, unit_id in grants if granted == role}
    if not units:
        return False
    unit_id = unit if isinstance(unit, int) else unit.pk
    return unit_id in units or unit_coverers(unit_id).filter(pk__in=units).exists()
