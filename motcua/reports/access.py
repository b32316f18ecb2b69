"""Who may sign a unit's period report and restate it (house style R4)."""

from __future__ import annotations

from motcua.accounts.access import user_can_act
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.units.models import AdministrativeUnit


def user_can_sign_report(user: User, unit: AdministrativeUnit) -> bool:
    """A leader of the unit (granted there, above it, or on what became it) or an
    administrator signs the unit's period reports and records their restatements."""
    return user_can_act(user, Role.LEADER, unit)
