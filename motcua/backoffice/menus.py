"""Which menu links the signed-in user may follow (the top menu and the desk tabs).

A link is shown only when the page behind it would let the user in: each entry asks the very
access function (or selector) that the page's view asks on entry, so no rule is written twice
and a menu never leads to a 403 or 404. Registered as a context processor (``menu``); each
answer is read on first use in a template and kept for the request.
"""

from __future__ import annotations

from functools import cached_property
from typing import cast

from django.http import HttpRequest

from motcua.accounts.models import User
from motcua.backoffice import selectors
from motcua.certification.access import certification_default_unit
from motcua.directives import access as directives_access
from motcua.onlinepay.access import reconciliation_allowed
from motcua.reports import dashboard
from motcua.steering.access import steering_default_unit


class Menu:
    """The links' answers for one user; each property mirrors one view's entry check."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def counter(self) -> bool:
        """``backoffice.views.counter``: a clerk of some one-stop desk (else 403)."""
        return bool(selectors.counter_agency_ids(self.user))

    @cached_property
    def reports(self) -> bool:
        """``reports`` dashboard and end-of-day list: the user's default unit (else 404)."""
        return dashboard.default_unit(self.user) is not None

    @cached_property
    def directives(self) -> bool:
        """``directives.views._unit`` without a unit: the user's default unit (else 404)."""
        return directives_access.default_unit(self.user) is not None

    @cached_property
    def steering(self) -> bool:
        """``steering.views.parse_unit`` without a unit: the default unit (else 404)."""
        return steering_default_unit(self.user) is not None

    @cached_property
    def certification(self) -> bool:
        """``certification.views.register``: a register the user keeps (else 403)."""
        return certification_default_unit(self.user) is not None

    @cached_property
    def reconcile(self) -> bool:
        """``onlinepay.staff_views.reconcile``: fee staff, leaders, administrators (else 404)."""
        return reconciliation_allowed(self.user)


def menu(request: HttpRequest) -> dict[str, Menu | None]:
    """Context processor: ``menu`` for a signed-in user, None otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": None}
    return {"menu": Menu(cast(User, user))}
