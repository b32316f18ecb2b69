"""Who may see and record the steering committee's indicators and working groups (house style
R4). Built on ``accounts.access``: a role granted in a unit covers it, the units below it and
what was merged into it; administrators cover every unit.

- See a unit's indicators and working groups: its leaders and steering-committee members.
- Record values, import files: its leaders (the steering-committee role only reads).
"""

from __future__ import annotations

from datetime import date

from django.db.models import F

from motcua.accounts.access import user_can_act, user_grants, user_unit_ids
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.steering.choices import INDICATOR_LEVELS
from motcua.units.choices import LEVEL_RANK, UnitLevel
from motcua.units.models import AdministrativeUnit

VIEW_ROLES = (Role.LEADER, Role.STEERING)
RECORD_ROLES = (Role.LEADER,)


def user_may_view_steering(user: User, unit: AdministrativeUnit) -> bool:
    """Whether ``user`` may see ``unit``'s indicators and working groups."""
    return any(user_can_act(user, role, unit) for role in VIEW_ROLES)


def user_may_record_indicators(user: User, unit: AdministrativeUnit) -> bool:
    """Whether ``user`` may enter or import indicator values for ``unit``."""
    return any(user_can_act(user, role, unit) for role in RECORD_ROLES)


def steering_units(
    user: User, *, record: bool = False, on: date | None = None
) -> list[AdministrativeUnit]:
    """The units (province, district, commune levels) the user may see, or record for with
    ``record``, top of the tree first; with ``on``, only those that existed that day,
    otherwise one per code (the newest)."""
    scope = user_unit_ids(user, RECORD_ROLES if record else VIEW_ROLES)
    units = AdministrativeUnit.objects.filter(level__in=INDICATOR_LEVELS)
    if scope is not None:
        units = units.filter(pk__in=scope)
    chosen: dict[str, AdministrativeUnit] = {}
    for unit in sorted(units, key=lambda u: u.valid_from or date.min):
        if on is None or unit.is_valid_on(on):
            chosen[unit.code] = unit
    return sorted(chosen.values(), key=lambda u: (LEVEL_RANK[u.level], u.code))


def steering_default_unit(user: User) -> AdministrativeUnit | None:
    """The highest unit where the user holds a role that shows the steering pages (for a
    superuser without grants, the first province); None when there is none."""
    roles = {role.value for role in (*VIEW_ROLES, Role.ADMIN)}
    ids = {unit_id for role, unit_id in user_grants(user) if role in roles}
    units = list(AdministrativeUnit.objects.filter(pk__in=ids))
    if units:
        return min(units, key=lambda u: (LEVEL_RANK[u.level], u.code))
    if user_unit_ids(user, VIEW_ROLES) is None:
        return (
            AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE)
            .order_by(F("valid_to").desc(nulls_first=True), "code")
            .first()
        )
    return None
