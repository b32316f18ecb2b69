"""The only way pages, the API and the CLI load dossiers for a user (house style R4).

A dossier is visible to a user whose scope covers its receiving unit or the unit of the agency
handling it now. "Missing" and "not yours" raise the same error.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.access import restrict
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.dossiers.errors import DossierNotFound
from motcua.dossiers.models import Dossier

STAFF_ROLES = (Role.CLERK, Role.OFFICER, Role.LEADER, Role.STEERING, Role.ADMIN)


def dossier_list_for_user(user: User) -> QuerySet[Dossier]:
    """Every dossier the user may see, ready for lists (agencies and procedure joined)."""
    queryset = Dossier.objects.select_related(
        "procedure_version__procedure", "receiving_agency", "current_agency", "assignee"
    )
    return restrict(queryset, user, STAFF_ROLES, "receiving_unit", "handling_unit")


def dossier_get_for_user(*, user: User, code: str) -> Dossier:
    """The dossier with ``code`` if the user may see it; else ``DossierNotFound``."""
    dossier = dossier_list_for_user(user).filter(code=code.strip()).first()
    if dossier is None:
        raise DossierNotFound(_("no dossier %(code)s") % {"code": code}, field="code")
    return dossier
