"""Who may see and record the steering committee's indicators and working groups (house style
R4). Built on ``accounts.access``: a role granted in a unit covers it, the units below it and
what was merged into it; administrators cover every unit.

- See a unit's indicators and working groups: its leaders and steering-committee members.
- Record values, import files: its leaders (the steering-committee role only reads).
"""

from __future__ import annotations

from motcua.accounts.access import default_unit, units_for_user, user_may_see_unit
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.units.models import AdministrativeUnit

VIEW_ROLES = (Role.LEADER, Role.STEERING)
RECORD_ROLES = (Role.LEADER,)


def user_may_view_steering(user: User, unit: AdministrativeUnit) -> bool:
    """Whether ``user`` may see ``unit``'s indicators and working groups."""
    return user_may_see_unit(user, VIEW_ROLES, unit)


def user_may_record_indicators(user: User, unit: AdministrativeUnit) -> bool:
    """Whether ``user`` may enter or import indicator values for ``unit``."""
    return user_may_see_unit(user, RECORD_ROLES, unit)


def steering_units(user: User, *, record: bool = False) -> list[AdministrativeUnit]:
    """The units (province, district, commune levels) the user may see, or record for with
    ``record``, top of the tree first, one per code (the newest)."""
    return units_for_user(user, RECORD_ROLES if record else VIEW_ROLES)


def steering_default_unit(user: User) -> AdministrativeUnit | None:
    """The highest unit where the user holds a role that shows the steering pages (for an
    administrator without grants, the province in force); None when there is none."""
    return default_unit(user, VIEW_ROLES)
