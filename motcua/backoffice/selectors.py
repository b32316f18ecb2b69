"""Reads behind the staff pages: the counter's agency and procedures, the online submissions
waiting at the desk, an officer's queue with its urgency, and the actions a user may offer.

Who may see a dossier is decided by ``dossiers.access`` only; whether an action is allowed is
decided by the lifecycle table (``core.workflow``) and the write path (``dossiers.services``),
which the pages call again on every submit. The urgency colours and the due filters are the
end-of-day list's three states (``reports.dashboard.end_of_day``: overdue is
``dossiers.selectors.overdue_q``), tested equal to it, not a second definition.

The search matches words against ``Dossier.search_text`` (code, name
without diacritics, phone, ID number), within ``dossiers.access.dossier_list_for_user``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypedDict

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.accounts.access import handlers, user_agency_grants, user_can_act, user_unit_ids
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_version_list
from motcua.core import workflow
from motcua.dossiers.access import (
    STAFF_ROLES,
    dossier_list_for_user,
    dossier_scope_units,
    dossier_scoped_list_for_user,
)
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import (
    DueSoon,
    DueWindows,
    due_soon_q,
    due_windows_for_user,
    overdue_q,
    procedure_versions,
    search_words,
    with_words,
)
from motcua.lib.paging import Ordering, ScopedList
from motcua.units.choices import UnitLevel
from motcua.units.models import Agency

# Actions the staff pages offer. Rating is the applicant's (portal, one-time link).
STAFF_ACTIONS = tuple(action for action in workflow.Action if action is not workflow.Action.RATE)


def counter_agency_ids(user: User) -> set[int]:
    """Ids of the one-stop desks (agencies) where the user holds the clerk role, from the
    grants already read (``accounts.access.user_agency_grants``): the menu's "Counter" link
    asks on every staff page."""
    return {agency for role, agency in user_agency_grants(user) if role == Role.CLERK}


def counter_agencies(user: User) -> list[Agency]:
    """The one-stop desks (agencies) where the user holds the clerk role, by code."""
    # No desk, no query: Django answers an empty ``pk__in`` without one.
    desks = Agency.objects.filter(pk__in=counter_agency_ids(user))
    return list(desks.select_related("unit").order_by("code"))


def user_agency_ids(user: User) -> set[int]:
    """The agencies named in any of the user's grants (an officer's department)."""
    return {agency for _role, agency in user_agency_grants(user)}


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
        .select_related("procedure_version")
        .order_by(*ONLINE_ORDER.order_by())
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


class Due(StrEnum):
    """The due filter: the end-of-day list's three states."""

    TODAY = "today"
    NEXT = "next"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class DossierFilter:
    """What the search page and the queue filter by (``backoffice.forms.DossierFilterForm``)."""

    q: str = ""
    status: str = ""
    procedure: str = ""
    channel: str = ""
    due: str = ""
    sort: str = "received"


# Sort keys: the column and its direction ("-" newest first), the code breaking ties.
# A submission not yet received sorts by its submission moment (newest first either way), and
# a dossier without a due moment last: the same order on SQLite and PostgreSQL, whose NULLs
# sort at opposite ends by default.
SORTS: dict[str, tuple[Any, ...]] = {
    "received": (F("sort_at").desc(), "-code"),
    "due": (F("effective_due_at").asc(nulls_last=True), "code"),
    "code": ("code",),
}
# The same orders for keyset pages (motcua.lib.paging): ``sort_at`` is the annotation
# dossier_filter adds (the receipt moment, else the submission's).
ORDERINGS: dict[str, Ordering] = {
    "received": Ordering.of("-sort_at", "-code"),
    "due": Ordering.of("effective_due_at", "code", nullable=["effective_due_at"]),
    "code": Ordering.of("code"),
}
# The online list: oldest submission first (§1.4 step 3), on the (status, submitted_at) index.
ONLINE_ORDER = Ordering.of("submitted_at", "code")
# The end-of-day list's windows, in the calendar of the user's (first) unit: one definition
# (dossiers.selectors.due_windows, due_soon_q) behind the dashboard, the queue and the CLI.
due_windows = due_windows_for_user


def dossier_filter(
    dossiers: ScopedList[Dossier],
    filters: DossierFilter,
    *,
    windows: DueWindows,
    units: frozenset[int] | None = None,
) -> ScopedList[Dossier]:
    """``dossiers`` narrowed by ``filters`` and in their order. The due states are the
    end-of-day list's: overdue is ``dossiers.selectors.overdue_q``; due today or on the next
    working day is pending, clock running, not overdue and due within the window. The
    parts of a user's list (``dossiers.access``) are narrowed alike (``ScopedList.narrow``),
    so a page reads each on its index; but not for words: the trigram index is what serves
    them, and each part would run it again (2 × 11 ms at 1 M dossiers, against one), so a
    search for words reads the list whole, as its one part: the page's ids first, with no
    join, then their rows (the planner expects one match of the index, so it joined each of
    300 matches to the agencies before sorting them, 11 ms at 10 M dossiers; now 1,9 ms for
    the ids and 1,3 for the rows).
    ``units``: those the list is kept to (``dossiers.access.dossier_scope_units``), for the
    per-unit index of words (``dossiers.selectors.with_words``)."""
    # Read once for the list's parts.
    versions = procedure_versions(filters.procedure) if filters.procedure else None
    if search_words(filters.q):
        matches = _filtered(dossiers.whole, filters, windows, units, versions)
        return ScopedList(matches, (matches,))
    return dossiers.narrow(lambda part: _filtered(part, filters, windows, None, versions))


def _filtered(
    queryset: QuerySet[Dossier],
    filters: DossierFilter,
    windows: DueWindows,
    units: frozenset[int] | None,
    versions: list[int] | None,
) -> QuerySet[Dossier]:
    queryset = with_words(queryset, search_words(filters.q), units=units)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if versions is not None:
        queryset = queryset.filter(procedure_version_id__in=versions)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.due == Due.OVERDUE:
        queryset = queryset.filter(overdue_q(windows.at))
    elif filters.due in (Due.TODAY, Due.NEXT):
        which = DueSoon.TODAY if filters.due == Due.TODAY else DueSoon.NEXT_WORKING_DAY
        queryset = queryset.filter(due_soon_q(windows, which))
    queryset = queryset.annotate(sort_at=Coalesce("received_at", "submitted_at"))
    return queryset.order_by(*SORTS.get(filters.sort, SORTS["received"]))


def dossier_search(
    user: User, filters: DossierFilter, *, windows: DueWindows
) -> ScopedList[Dossier]:
    """The dossiers the user may see (``dossiers.access``) matching ``filters``, with the
    parts a page reads them by: a dossier outside the user's units is never among them,
    whatever the search."""
    units = search_units(user, filters)
    return dossier_filter(dossier_scoped_list_for_user(user), filters, windows=windows, units=units)


def search_units(user: User, filters: DossierFilter) -> frozenset[int] | None:
    """The units the user's list is kept to, for the per-unit index of words
    (``dossiers.selectors.with_words``); read only for a search by words."""
    return dossier_scope_units(user) if search_words(filters.q) else None


def urgencies(dossiers: list[Dossier], windows: DueWindows) -> dict[int, Urgency]:
    """The end-of-day state of each of ``dossiers`` (one page): one query for the overdue
    ones (``overdue_q``), the due windows read from the rows."""
    if not dossiers:
        return {}
    late = set(
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers])
        .filter(overdue_q(windows.at))
        .values_list("pk", flat=True)
    )
    found: dict[int, Urgency] = {}
    pending = {s.value for s in workflow.PENDING}
    for dossier in dossiers:
        due = dossier.effective_due_at
        if dossier.pk in late:
            found[dossier.pk] = Urgency.OVERDUE
        elif dossier.status not in pending or dossier.paused_since or due is None:
            continue
        elif windows.at <= due < windows.tomorrow:
            found[dossier.pk] = Urgency.DUE_TODAY
        elif windows.tomorrow <= due < windows.after_next:
            found[dossier.pk] = Urgency.DUE_NEXT
    return found


def queue_queryset(user: User, *, everyone: bool = False) -> ScopedList[Dossier]:
    """Pending dossiers to handle among those the user may see.

    "Mine": assigned to the user, or held by one of the user's agencies and assigned to
    nobody; ``everyone``: every pending dossier the user may see.
    """
    condition = Q(status__in=[status.value for status in workflow.PENDING])
    if not everyone:
        agencies = user_agency_ids(user)
        condition &= Q(assignee=user) | Q(assignee__isnull=True, current_agency_id__in=agencies)
    # Kept to each part of the user's list as well (ScopedList.filter): a page of "all" reads
    # the pending dossiers received by the user's units and those handled by them, each on
    # its unit's index of pending dossiers by due moment (dossiers 0038).
    return dossier_scoped_list_for_user(user).filter(condition)


def queue_for_user(
    user: User, *, everyone: bool = False, at: datetime | None = None
) -> list[QueueRow]:
    """The whole queue by effective due moment (pauses included, §1.7), with urgencies."""
    windows = due_windows(user, at or timezone.now())
    dossiers = list(
        dossier_filter(
            queue_queryset(user, everyone=everyone), DossierFilter(sort="due"), windows=windows
        ).whole
    )
    urgency = urgencies(dossiers, windows)
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


def officers(dossier: Dossier) -> list[User]:
    """Who the dossier page offers to hand ``dossier`` to: the people who may handle it in
    the unit that holds it (``accounts.access.handlers``), not every officer of the
    province. The service checks the agency it goes to."""
    unit_id = dossier.handling_unit_id or dossier.receiving_unit_id
    return list(handlers(unit_id)) if unit_id is not None else []


class AgencyChoice(TypedDict):
    """An agency as the dossier page offers it."""

    code: str
    name: str


def agencies_in_force(on: date) -> list[AgencyChoice]:
    """Agencies a dossier may be handed to on ``on``: their codes and names, by unit. Plain
    rows, not model instances: a province has hundreds of agencies, and the dossier page
    offers them all (two instances each, with their unit, were a fifth of its time)."""
    return list(
        Agency.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .order_by("unit__code", "code")
        .values("code", "name")
    )


def log_agencies(user: User) -> QuerySet[Agency]:
    """Agencies whose tracking log (form 06) the user may print: those of the user's units."""
    scope = user_unit_ids(user, STAFF_ROLES)
    agencies = Agency.objects.select_related("unit").order_by("unit__code", "code")
    return agencies if scope is None else agencies.filter(unit_id__in=scope)
