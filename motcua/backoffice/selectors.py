"""Reads behind the staff pages: the counter's agency and procedures, the online submissions
waiting at the desk, an officer's queue with its urgency, and the actions a user may offer.

Who may see a dossier is decided by ``dossiers.access`` only; whether an action is allowed is
decided by the lifecycle table (``core.workflow``) and the write path (``dossiers.services``),
which the pages call again on every submit. The urgency colours are the end-of-day list's
three states (``reports.dashboard.end_of_day``), not a second definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.accounts.access import user_can_act, user_unit_ids
from motcua.accounts.choices import Role
from motcua.accounts.models import RoleAssignment, User
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_version_list
from motcua.core import workflow
from motcua.dossiers.access import STAFF_ROLES, dossier_list_for_user
from motcua.dossiers.models import Dossier
from motcua.reports.dashboard import end_of_day
from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit, Agency

# Actions the staff pages offer. Rating is the applicant's (portal, one-time link).
STAFF_ACTIONS = tuple(action for action in workflow.Action if action is not workflow.Action.RATE)


def counter_agencies(user: User) -> list[Agency]:
    """The one-stop desks (agencies) where the user holds the clerk role, by code."""
    ids = RoleAssignment.objects.filter(
        user=user, role=Role.CLERK, agency__isnull=False
    ).values_list("agency_id", flat=True)
    return list(Agency.objects.filter(pk__in=list(ids)).select_related("unit").order_by("code"))


def user_agency_ids(user: User) -> set[int]:
    """The agencies named in any of the user's grants (an officer's department)."""
    return set(
        RoleAssignment.objects.filter(user=user, agency__isnull=False).values_list(
            "agency_id", flat=True
        )
    )


def counter_procedures(agency: Agency, search: str, on: date) -> QuerySet[ProcedureVersion]:
    """Procedures in force at the level of the desk's unit, matched without diacritics."""
    level = agency.unit.level if agency.unit.level != UnitLevel.VILLAGE else None
    return procedure_version_list(on=on, level=level, search=search)


def online_waiting(user: User) -> QuerySet[Dossier]:
    """Online submissions not yet accepted (submitted or resubmitted), oldest first (§1.4
    step 3), among the dossiers the user may see."""
    return (
        dossier_list_for_user(user)
        .filter(status=workflow.Status.SUBMITTED)
        .order_by("submitted_at", "code")
    )


class Urgency(StrEnum):
    """The end-of-day list's states, as a queue row's colour."""

    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_NEXT = "due_next"


@dataclass(frozen=True)
class QueueRow:
    dossier: Dossier
    urgency: Urgency | None


def _urgencies(units: set[AdministrativeUnit], at: datetime) -> dict[int, Urgency]:
    found: dict[int, Urgency] = {}
    for unit in units:
        lists = end_of_day(unit, at=at)
        for urgency, dossiers in (
            (Urgency.OVERDUE, lists.overdue),
            (Urgency.DUE_TODAY, lists.due_today),
            (Urgency.DUE_NEXT, lists.due_next),
        ):
            for dossier in dossiers:
                found.setdefault(dossier.pk, urgency)
    return found


def queue_for_user(
    user: User, *, everyone: bool = False, at: datetime | None = None
) -> list[QueueRow]:
    """Pending dossiers to handle, by effective due moment (pauses included, §1.7).

    "Mine": assigned to the user, or held by one of the user's agencies and assigned to
    nobody; ``everyone``: every pending dossier the user may see.
    """
    at = at or timezone.now()
    queryset = dossier_list_for_user(user).filter(
        status__in=[status.value for status in workflow.PENDING]
    )
    if not everyone:
        agencies = user_agency_ids(user)
        queryset = queryset.filter(
            Q(assignee=user) | Q(assignee__isnull=True, current_agency_id__in=agencies)
        )
    dossiers = list(queryset.select_related("receiving_unit").order_by("effective_due_at", "code"))
    units = {dossier.receiving_unit for dossier in dossiers if dossier.receiving_unit}
    urgency = _urgencies(units, at)
    return [QueueRow(dossier, urgency.get(dossier.pk)) for dossier in dossiers]


def actions_for_user(dossier: Dossier, user: User) -> list[workflow.Action]:
    """Actions the table allows from the dossier's state that ``user`` may take as staff.

    The same scope rule as the write path: clerks act for the receiving unit, officers and
    leaders for the unit handling the dossier now. The service checks again on submit.
    """
    status = workflow.Status(dossier.status)
    receiving = dossier.receiving_unit_id
    handling = dossier.handling_unit_id or receiving
    units = {
        workflow.Actor.CLERK: receiving,
        workflow.Actor.OFFICER: handling,
        workflow.Actor.LEADER: handling,
    }
    allowed: list[workflow.Action] = []
    for action in workflow.allowed_actions(status):
        if action not in STAFF_ACTIONS:
            continue
        rule = workflow.rule_for(status, action)
        if any(
            kind in rule.actors and unit is not None and user_can_act(user, Role(kind.value), unit)
            for kind, unit in units.items()
        ):
            allowed.append(action)
    return allowed


def officers() -> QuerySet[User]:
    """Staff who may be handed a dossier: officers and leaders, by name."""
    return (
        User.objects.filter(is_active=True, assignments__role__in=[Role.OFFICER, Role.LEADER])
        .distinct()
        .order_by("full_name", "username")
    )


def agencies_in_force(on: date) -> QuerySet[Agency]:
    """Agencies a dossier may be handed to on ``on``."""
    return (
        Agency.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .select_related("unit")
        .order_by("unit__code", "code")
    )


def log_agencies(user: User) -> QuerySet[Agency]:
    """Agencies whose tracking log (form 06) the user may print: those of the user's units."""
    scope = user_unit_ids(user, STAFF_ROLES)
    agencies = Agency.objects.select_related("unit").order_by("unit__code", "code")
    return agencies if scope is None else agencies.filter(unit_id__in=scope)
