"""The only way pages, the API and the CLI load dossiers for a user (house style R4).

A dossier is visible to a user whose scope covers its receiving unit or the unit of the agency
handling it now. "Missing" and "not yours" raise the same error.

The list is also given with the two halves of that rule as parts
(:func:`dossier_scoped_list_for_user`, a ``lib.paging.ScopedList``): "received by one of my
units" and "handled by one of them", each served by its own index in a list's order (the
pending ones by due moment: ``receiving_unit, effective_due_at, code`` and its
``handling_unit`` twin, dossiers 0038), which the ``OR`` of the two keeps out of a page's
plan (issue 17: the queue's "all" view and the search walked the whole province's pending
dossiers).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.access import unit_scope, user_unit_ids
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.dossiers.errors import DossierNotFound
from motcua.dossiers.models import Dossier
from motcua.lib.paging import ScopedList

STAFF_ROLES = (Role.CLERK, Role.OFFICER, Role.LEADER, Role.STEERING, Role.ADMIN)
# The units a dossier is seen through: the one that received it, the one handling it now.
SCOPE_FIELDS = ("receiving_unit", "handling_unit")


def dossier_scoped_list_for_user(user: User) -> ScopedList[Dossier]:
    """Every dossier the user may see, ready for lists (agencies and procedure joined), with
    its parts, one per unit it is seen through (for ``lib.paging.keyset_page``'s ``parts``)."""
    queryset = Dossier.objects.select_related(
        "procedure_version__procedure", "receiving_agency", "current_agency", "assignee"
    )
    # The scope is read once (``accounts.access.unit_scope``, as ``restrict`` does) for the
    # list and its parts: one query, not one per part.
    scope = unit_scope(user, STAFF_ROLES, *SCOPE_FIELDS)
    if scope is None:
        return ScopedList(queryset)  # an administrator sees every dossier: one part, the table
    parts = tuple(queryset.filter(condition) for condition in scope.by_field)
    return ScopedList(queryset.filter(scope.any), parts)


def dossier_scope_units(user: User) -> frozenset[int] | None:
    """The units through which the user sees dossiers (as receiving or handling unit); None:
    every unit (an administrator). One or two queries (``accounts.access.user_unit_ids``)."""
    return user_unit_ids(user, STAFF_ROLES)


def dossier_list_for_user(user: User) -> QuerySet[Dossier]:
    """Every dossier the user may see, ready for lists (agencies and procedure joined)."""
    return dossier_scoped_list_for_user(user).whole


def dossier_get_for_user(*, user: User, code: str) -> Dossier:
    """The dossier with ``code`` if the user may see it; else ``DossierNotFound``."""
    dossier = dossier_list_for_user(user).filter(code=code.strip()).first()
    if dossier is None:
        raise DossierNotFound(_("no dossier %(code)s") % {"code": code}, field="code")
    return dossier
