"""Who may act where: the only place that decides a user's unit scope (house style R4).

A role granted in a unit covers that unit, everything below it, and everything that became it
through a reorganisation (a leader of the new Phường Bắc Kạn sees the dossiers of the four units
merged into it, §10.2). Administrators and superusers cover every unit.

Each app names the roles that show its pages (``reports.dashboard.DASHBOARD_ROLES``,
``steering.access.VIEW_ROLES`` …); the rules for turning roles into units live here once:
``restrict`` (a query set kept to the user's units, netbox's ``restrict(user, action)``),
``unit_scope`` (its conditions, one per unit field, for a list read a part at a time),
``user_may_see_unit``, ``units_for_user`` (the unit picker) and ``default_unit``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from motcua.accounts.choices import Role
from motcua.accounts.models import RoleAssignment, User
from motcua.units.choices import LEVEL_RANK, UnitLevel
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import unit_coverers, unit_in_q
from motcua.units.tree import unit_tree

M = TypeVar("M", bound=Model)

# The levels a person picks a unit from in the pages: a village has no desk of its own.
PICKABLE_LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE)

# A unit still in force first, then the one that ended last: NULLs are placed explicitly,
# since SQLite puts them last in a descending order and PostgreSQL first.
IN_FORCE_FIRST = (F("valid_to").desc(nulls_first=True), "code")


def is_administrator(user: User) -> bool:
    return user.is_active and (
        user.is_superuser or any(role == Role.ADMIN for role, _unit in user_grants(user))
    )


def user_roles(user: User) -> set[Role]:
    """Every role the user holds somewhere (from :func:`user_grants`, read once per user
    object: a page's menu asks several access checks)."""
    if not user.is_active:
        return set()
    return {Role(role) for role, _unit in user_grants(user)}


def user_unit_ids(user: User, roles: Iterable[Role]) -> frozenset[int] | None:
    """Ids of the units where the user holds one of ``roles``; None means every unit.

    One query whatever the number of grants, the user's grants (:func:`user_grants`); the
    lineages of the granted units are walked on the tree in memory (``units.tree``).
    """
    if not user.is_active:
        return frozenset()
    grants = user_grants(user)
    if user.is_superuser or any(granted == Role.ADMIN for granted, _ in grants):
        return None
    wanted = frozenset(Role(role).value for role in roles)
    known: dict[frozenset[str], frozenset[int]] = user.__dict__.setdefault("_motcua_units", {})
    if wanted not in known:
        granted_units = [unit_id for granted, unit_id in grants if granted in wanted and unit_id]
        known[wanted] = unit_tree().lineages(granted_units)
    return known[wanted]


def grants_forget(user: User) -> None:
    """Drops what this module read of the user's grants (:func:`user_grants`,
    :func:`user_unit_ids`, :func:`default_unit`), for a service that has just changed them."""
    user.__dict__.pop("_motcua_grants", None)
    user.__dict__.pop("_motcua_agency_grants", None)
    user.__dict__.pop("_motcua_units", None)
    user.__dict__.pop("_motcua_granted_units", None)


def user_grants(user: User) -> list[tuple[str, int]]:
    """The user's (role, unit id) grants, read once per user object (one request or command)
    with :func:`user_agency_grants`."""
    cached: list[tuple[str, int]] | None = getattr(user, "_motcua_grants", None)
    if cached is None:
        cached = grants_known(user, user.assignments.values_list("role", "unit_id", "agency_id"))
    return cached


def grants_known(user: User, rows: Iterable[tuple[str, int, int | None]]) -> list[tuple[str, int]]:
    """Keeps ``rows``, the user's grants as (role, unit id, agency id), for
    :func:`user_grants` and :func:`user_agency_grants`: read by this module, or along with the
    user by whoever read her (``accounts.backends``)."""
    rows = list(rows)
    grants = [(role, unit_id) for role, unit_id, _agency in rows]
    user._motcua_grants = grants  # type: ignore[attr-defined]
    user._motcua_agency_grants = [  # type: ignore[attr-defined]
        (role, agency_id) for role, _unit, agency_id in rows if agency_id is not None
    ]
    return grants


def user_agency_grants(user: User) -> list[tuple[str, int]]:
    """The (role, agency id) of the user's grants that name an agency (a clerk's desk, an
    officer's department), read with :func:`user_grants`: a staff page's menu asks for the
    desks on every page, which was two statements of its own."""
    user_grants(user)
    agency_grants: list[tuple[str, int]] = user._motcua_agency_grants  # type: ignore[attr-defined]
    return agency_grants


def user_can_act(user: User, role: Role, unit: AdministrativeUnit | int) -> bool:
    """Whether the user holds ``role`` for ``unit`` (granted there, above it, or on a successor).

    ``unit`` may be given by id. One query at most, the user's grants (once per user object);
    the units whose lineage holds ``unit`` are walked on the tree in memory (``units.tree``).
    """
    return user_may_see_unit(user, (role,), unit)


def user_may_see_unit(user: User, roles: Iterable[Role], unit: AdministrativeUnit | int) -> bool:
    """Whether the user holds one of ``roles`` for ``unit`` (there, above it, or on what
    became it); administrators always. One query at most, as :func:`user_can_act`."""
    if not user.is_active:
        return False
    grants = user_grants(user)
    if user.is_superuser or any(granted == Role.ADMIN for granted, _ in grants):
        return True
    wanted = {Role(role).value for role in roles}
    units = {unit_id for granted, unit_id in grants if granted in wanted}
    if not units:
        return False
    unit_id = unit if isinstance(unit, int) else unit.pk
    return unit_id in units or not units.isdisjoint(unit_tree().coverers(unit_id))


@dataclass(frozen=True)
class UnitScope:
    """The rows a user's unit scope keeps: one condition per unit foreign key (``fields`` of
    :func:`unit_scope`), each served by that column's index; a row is kept when any holds."""

    by_field: tuple[Q, ...]

    @property
    def any(self) -> Q:
        """The one condition: the rows that any of the fields keeps."""
        condition = Q()
        for part in self.by_field:
            condition |= part
        return condition


def unit_scope(user: User, roles: Iterable[Role], *fields: str) -> UnitScope | None:
    """The conditions keeping rows whose unit, through any of ``fields`` (unit foreign keys
    such as ``"receiving_unit"``), the user covers with one of ``roles``; None for an
    administrator (every row). The scope is read once (:func:`user_unit_ids`): two queries
    at most, whatever the number of fields."""
    scope = user_unit_ids(user, roles)
    if scope is None:
        return None
    # A province's leader in a province's installation: any unit (units.selectors.unit_in_q).
    return UnitScope(tuple(unit_in_q(name, scope) for name in fields))


def restrict(queryset: QuerySet[M], user: User, roles: Iterable[Role], *fields: str) -> QuerySet[M]:
    """``queryset`` kept to the rows whose unit, through any of ``fields`` (unit foreign keys
    such as ``"receiving_unit"``), the user covers with one of ``roles``; all of it for an
    administrator, nothing for an inactive user (:func:`unit_scope`)."""
    scope = unit_scope(user, roles, *fields)
    if scope is None:
        return queryset
    return queryset.filter(scope.any)


# Who may be handed a dossier to handle (§1.4 steps 4–5: the officer of the agency that
# settles it, or the leader who signs).
HANDLING_ROLES = (Role.OFFICER, Role.LEADER)


def handlers(unit_id: int | None = None, agency_id: int | None = None) -> QuerySet[User]:
    """The people who may be handed a dossier: active officers and leaders, in name order
    (one query). A machine client's service account (docs/api.md) holds an officer's role
    to act, but is no person to hand to.

    Held in ``unit_id``: granted on that unit, a unit above it or one that became it, and
    not narrowed to an agency of another unit; by ``agency_id`` too: not narrowed to
    another agency. Neither given: everyone who may be handed a dossier somewhere."""
    grants = RoleAssignment.objects.filter(role__in=HANDLING_ROLES)
    if unit_id is not None:
        grants = grants.filter(
            Q(unit_id=unit_id) | Q(unit_id__in=unit_coverers(unit_id).values("pk")),
            Q(agency__isnull=True) | Q(agency__unit_id=unit_id),
        )
    if agency_id is not None:
        grants = grants.filter(Q(agency__isnull=True) | Q(agency_id=agency_id))
    return (
        User.objects.filter(is_active=True, api_client__isnull=True)
        .filter(pk__in=grants.values("user_id"))
        .order_by("full_name", "username")
    )


def units_for_user(user: User, roles: Iterable[Role]) -> list[AdministrativeUnit]:
    """The units the user may pick (villages left out), top of the tree first, one per code:
    a reused code (01840 before and after 01/07/2025) is its newest version."""
    scope = user_unit_ids(user, roles)
    tree = unit_tree()
    held = tree.units
    # Chosen on the tree's own units, then copied: an administrator's scope is every unit.
    pickable = [
        pk
        for pk in (held if scope is None else scope)
        if pk in held and held[pk].level in PICKABLE_LEVELS
    ]
    units = tree.units_of(pickable)
    chosen: dict[str, AdministrativeUnit] = {}
    # Newest version last, so it wins for its code.
    for unit in sorted(units, key=lambda u: u.valid_from or date.min):
        chosen[unit.code] = unit
    return sorted(chosen.values(), key=lambda u: (LEVEL_RANK[u.level], u.code))


def _granted_units(user: User) -> dict[int, AdministrativeUnit]:
    """The units of all the user's grants by id, read once per user object: the menus ask
    :func:`default_unit` for four kinds of page on every page (one query, not four)."""
    known: dict[int, AdministrativeUnit] | None = user.__dict__.get("_motcua_granted_units")
    if known is None:
        ids = {unit_id for _, unit_id in user_grants(user) if unit_id}
        known = {unit.pk: unit for unit in unit_tree().units_of(ids)}
        user.__dict__["_motcua_granted_units"] = known
    return known


def default_unit(user: User, roles: Iterable[Role]) -> AdministrativeUnit | None:
    """The unit a page opens on: the highest unit in force where the user holds one of
    ``roles`` (or the administrator role), else the highest of those that ended (a clerk of
    a dissolved desk opens on its history); for an administrator with no grant in force, the
    province in force (else the one that ended last); None when the user sees nothing."""
    wanted = {Role(role).value for role in (*roles, Role.ADMIN)}
    granted = _granted_units(user)
    units = [granted[i] for role, i in user_grants(user) if role in wanted and i in granted]
    today = timezone.localdate()
    if units:
        best = min(units, key=lambda u: (not u.is_valid_on(today), LEVEL_RANK[u.level], u.code))
        # An administrator sees every unit: one granted on a province since merged opens on
        # the province of today, not on a history (Bắc Kạn 06 became Thái Nguyên on 01/07/2025).
        if best.is_valid_on(today) or not is_administrator(user):
            return best
    if is_administrator(user):
        provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE)
        return provinces.order_by(*IN_FORCE_FIRST).first()
    return None
