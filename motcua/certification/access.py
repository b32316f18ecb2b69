"""Who may certify copies and read a unit's register (house style R4): the unit's clerks and
leaders (a role granted on the unit, above it, or on what became it), administrators always.
"Missing" and "not yours" look the same."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.access import default_unit, restrict, units_for_user, user_may_see_unit
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.certification.errors import CopyNotFound
from motcua.certification.models import CertifiedCopy
from motcua.units.models import AdministrativeUnit

CERTIFY_ROLES = (Role.CLERK, Role.LEADER)


def user_may_certify(user: User, unit: AdministrativeUnit | int) -> bool:
    """Whether ``user`` may certify copies in ``unit``'s register and read it."""
    return user_may_see_unit(user, CERTIFY_ROLES, unit)


def certification_units(user: User) -> list[AdministrativeUnit]:
    """The units whose register the user may keep (the unit picker)."""
    return units_for_user(user, CERTIFY_ROLES)


def certification_default_unit(user: User) -> AdministrativeUnit | None:
    """The unit the register opens on, or None when the user keeps no register."""
    return default_unit(user, CERTIFY_ROLES)


def copy_list_for_user(user: User) -> QuerySet[CertifiedCopy]:
    """Every register entry of the units the user covers."""
    queryset = CertifiedCopy.objects.select_related("unit", "certified_by", "dossier")
    return restrict(queryset, user, CERTIFY_ROLES, "unit")


def copy_get_for_user(*, user: User, copy_id: int) -> CertifiedCopy:
    """The entry ``copy_id`` if the user may see it; else :class:`CopyNotFound`."""
    found = copy_list_for_user(user).filter(pk=copy_id).first()
    if found is None:
        raise CopyNotFound(_("no such certified copy"), field="copy")
    return found
