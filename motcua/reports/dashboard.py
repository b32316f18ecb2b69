"""Reads behind the live dashboard: who sees which units, the monthly trend,
the units side by side with the dossiers behind each cell, and the end-of-day list the
steering committee asked for ("check the dossiers at the end of every working day", seed
README).

Every figure comes from ``reports.selectors`` (one definition per figure, §6 and invariant 3
of ARCHITECTURE.md); nothing here counts a figure a second way, and nothing is cached: each
page load reads the dossiers as they are now (invariant 4, Decision 766 "real time").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from motcua.accounts import access
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.core import workflow
from motcua.core.metrics import Bucket, Period
from motcua.dossiers.ledger_checkpoints import (
    Edge,
    ledger_counts_any,
    ledger_edge_days,
    ledger_first_day,
)
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import (
    DueSoon,
    due_soon_q,
    due_windows,
    overdue_q,
    received_by_q,
)
from motcua.reports.selectors import (
    Report,
    Row,
    report_months,
    report_rows,
    report_with_rows,
    row_members,
)
from motcua.units.choices import LEVEL_RANK
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import (
    UnitNotFound,
    lineage_ids,
    unit_at,
    unit_lineage,
    unit_versions,
)
from motcua.units.tree import names_every_unit

# Who may open a unit's dashboard: its leaders and steering-committee members, and also its
# one-stop clerks and processing officers, who run the end-of-day check at their own desks
# and may already list every dossier of their unit (dossiers.access). Administrators see
# every unit (accounts.access). The figures themselves are published under Decision 766.
DASHBOARD_ROLES = (Role.LEADER, Role.STEERING, Role.CLERK, Role.OFFICER)

# The monthly trend covers at most this many months (the last ones of a longer period).
TREND_MONTHS = 24
# What the monthly trend shows, month by month (its table and its chart).
TREND_BUCKETS = (Bucket.RECEIVED, Bucket.RESOLVED, Bucket.RESOLVED_LATE)

# The part of a units-side-by-side table that is the unit's own desk (form II.06a's first row).
OWN_DESK = "own"


# -- scope --------------------------------------------------------------------------------


def user_may_view(user: User, unit: AdministrativeUnit) -> bool:
    """Whether ``user`` may see the figures and the end-of-day list of ``unit``."""
    return access.user_may_see_unit(user, DASHBOARD_ROLES, unit)


def dashboard_units(user: User) -> list[AdministrativeUnit]:
    """The units the user may open (villages left out), top of the tree first, one per code:
    a reused code (01840 before and after 01/07/2025) is told apart by the period."""
    return access.units_for_user(user, DASHBOARD_ROLES)


def default_unit(user: User) -> AdministrativeUnit | None:
    """The highest unit the user holds a dashboard role (or the administrator role) in; for an
    administrator without grants, the province in force; None when the user sees nothing."""
    return access.default_unit(user, DASHBOARD_ROLES)


def unit_in_period(code: str, period: Period) -> AdministrativeUnit:
    """The unit that carried ``code`` at the end of ``period``, else the last one that carried
    it before then: a unit abolished before the period ends (Thành phố Bắc Kạn after
    30/06/2025) still has its dossiers to report. Raises ``UnitNotFound``."""
    try:
        return unit_at(code, period.end)
    except UnitNotFound as error:
        earlier = [
            unit
            for unit in unit_versions(code)
            if unit.valid_from is None or unit.valid_from <= period.end
        ]
        if not earlier:
            raise error from None
        return earlier[-1]


# -- the period shown first ---------------------------------------------------------------


# A day with a receipt counts in RECEIVED, one with a resolution in RESOLVED (core.metrics).
_ACTIVITY = (Bucket.RECEIVED, Bucket.RESOLVED)


def latest_activity(unit: AdministrativeUnit, today: date) -> date | None:
    """The last day up to ``today`` on which a dossier of ``unit`` (or of what became it) was
    received or resolved, from the ledger; None if there was none."""
    return ledger_edge_days(unit_lineage(unit), [Edge(_ACTIVITY, last=True, until=today)])[0]


def default_period(unit: AdministrativeUnit, today: date) -> Period:
    """The period the dashboard opens on: this month to today when a dossier
    was received or resolved in it, else the calendar month of the last day that had one (the
    2024 history opens on 05/2024, not on an empty month), else this month.

    This month is asked first, in one statement that stops at its first day with data; the
    last such day is looked for only when there is none (a unit with no dossier this month:
    the 2024 history, a unit abolished), since that probes each unit of the lineage."""
    this_month = Period(today.replace(day=1), today)
    if ledger_counts_any(lineage_ids(unit), _ACTIVITY, this_month.start, today):
        return this_month
    latest = latest_activity(unit, today)
    if latest is None or latest >= this_month.start:
        return this_month
    following = date(latest.year + latest.month // 12, latest.month % 12 + 1, 1)
    return Period(latest.replace(day=1), following - timedelta(days=1))


def first_year(unit: AdministrativeUnit) -> int | None:
    """The year the first dossier of ``unit`` (or of what became it) was received, where the
    period picker's years begin; None when it has received none.

    Most units received dossiers in the ledger's first year, so that year is asked first:
    the ledger's first receipt anywhere (one probe of the days' index), then whether the
    unit's lineage received one in that year (a statement that stops at its first row), not
    asked of a lineage of every unit (a province's: ``units.tree.names_every_unit``). Only a
    unit that did not is probed unit by unit (``ledger_edge_days``: a province's 222 units
    were 2–3 ms of every dashboard, docs/performance.md)."""
    first = ledger_first_day(Bucket.RECEIVED)
    if first is None:
        return None
    lineage = lineage_ids(unit)
    if names_every_unit(lineage):  # a province: the first receipt anywhere is its own
        return first.year
    if ledger_counts_any(lineage, (Bucket.RECEIVED,), first, date(first.year, 12, 31)):
        return first.year  # nothing was received anywhere before ``first``
    found = ledger_edge_days(unit_lineage(unit), [Edge((Bucket.RECEIVED,), last=False)])[0]
    return None if found is None else found.year


# -- trend and rows -----------------------------------------------------------------------


def months_of(period: Period, limit: int = TREND_MONTHS) -> list[Period]:
    """The calendar months of ``period``, the first and last cut to it (at most ``limit``,
    the last ones)."""
    months = []
    first = date(period.start.year, period.start.month, 1)
    while first <= period.end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        months.append(
            Period(max(first, period.start), min(following - timedelta(days=1), period.end))
        )
        first = following
    return months[-limit:]


def monthly_trend(
    unit: AdministrativeUnit, period: Period, report: Report | None = None
) -> list[Report]:
    """One report per calendar month of ``period`` with the trend's figures
    (:data:`TREND_BUCKETS`), month by month, read in one ledger query grouped by month whatever
    the number of months (``reports.selectors.report_months``).

    ``report``: the unit's report of ``period``, if the caller has read it. A period within
    one month (the dashboard's default, this month to today) is its own trend: read from it,
    not from the ledger again (two statements and 2 ms of a province's dashboard)."""
    months = months_of(period)
    if report is not None and report.unit == unit and months == [report.period]:
        totals = {bucket: report.totals[bucket] for bucket in TREND_BUCKETS}
        return [Report(unit, report.period, totals, {}, report.measures)]
    return report_months(unit, months, TREND_BUCKETS)


@dataclass(frozen=True)
class UnitRow:
    """A row of the units side by side: a form II.06a row and the part of the unit it covers
    (``OWN_DESK`` or a member unit's code; None if it could not be told)."""

    label: str
    part: str | None
    totals: dict[Bucket, int]

    def __getitem__(self, bucket: Bucket) -> int:
        return self.totals[bucket]


def _members(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    # The units report_rows gives a row each: those directly below, then those merged in.
    return row_members(unit)


def unit_rows(unit: AdministrativeUnit, period: Period) -> list[UnitRow]:
    """``report_rows(unit, period, "unit")`` with the part of the unit each row covers."""
    return _with_parts(report_rows(unit, period, "unit"))


def report_and_unit_rows(unit: AdministrativeUnit, period: Period) -> tuple[Report, list[UnitRow]]:
    """The unit's report and :func:`unit_rows`, from one ledger query
    (``reports.selectors.report_with_rows``)."""
    report, rows = report_with_rows(unit, period)
    return report, _with_parts(rows)


def _with_parts(rows: list[Row]) -> list[UnitRow]:
    return [
        UnitRow(
            row.label,
            OWN_DESK if index == 0 or row.unit is None else row.unit.code,
            dict(row.totals),
        )
        for index, row in enumerate(rows)
    ]


def part_dossiers(unit: AdministrativeUnit, part: str) -> QuerySet[Dossier] | None:
    """The dossiers of one row of the units side by side (the selection ``report_rows``
    makes), or None if ``part`` is not a row of ``unit``."""
    if part == OWN_DESK:
        return Dossier.objects.filter(receiving_unit=unit)
    for member in _members(unit):
        if member.code == part:
            return Dossier.objects.filter(received_by_q(lineage_ids(member)))
    return None


# -- end of the working day ---------------------------------------------------------------


@dataclass
class OfficerList:
    """One officer's (or nobody's) pending dossiers in one unit, by urgency."""

    assignee: User | None
    overdue: list[Dossier] = field(default_factory=list)
    due_today: list[Dossier] = field(default_factory=list)
    due_next: list[Dossier] = field(default_factory=list)


@dataclass
class UnitList:
    """The end-of-day list of one receiving unit, per officer (unassigned last)."""

    unit: AdministrativeUnit
    officers: list[OfficerList]


@dataclass(frozen=True)
class EndOfDay:
    """Pending dossiers already overdue, due later today, and due by the end of the next
    working day, at ``at``; the three lists never share a dossier."""

    unit: AdministrativeUnit
    at: datetime
    today: date
    next_working_day: date
    overdue: list[Dossier]
    due_today: list[Dossier]
    due_next: list[Dossier]
    units: list[UnitList]


def end_of_day(unit: AdministrativeUnit, *, at: datetime | None = None) -> EndOfDay:
    """The end-of-day list of ``unit`` and everything that became it, at ``at`` (now).

    Dossiers are those the reports count for the unit (received by it or a unit in its
    lineage) and still pending (received, not resolved, withdrawn or stopped).

    - overdue: ``dossiers.selectors.overdue_q(at)``, the reports' definition (pauses and the
      two-supplement rule included);
    - due today, due on the next working day of the unit's calendar:
      ``dossiers.selectors.due_soon_q`` (not overdue, clock running, effective due moment,
      pauses included, in the window of ``due_windows``).

    A dossier whose clock is stopped (awaiting a supplement or an obligation) has no due
    moment yet, so it is in neither "due" list; it is listed as overdue if it already was
    when its clock stopped.
    """
    at = at or timezone.now()
    windows = due_windows(unit, at)
    pending = Dossier.objects.filter(
        received_by_q(lineage_ids(unit)),
        status__in=[status.value for status in workflow.PENDING],
    ).select_related(
        "receiving_unit",
        "assignee",
        "procedure_version__procedure",
        "current_agency",
        "receiving_agency",
    )
    order = ("effective_due_at", "code")
    overdue = list(pending.filter(overdue_q(at)).order_by(*order))
    due_today = list(pending.filter(due_soon_q(windows, DueSoon.TODAY)).order_by(*order))
    due_next = list(pending.filter(due_soon_q(windows, DueSoon.NEXT_WORKING_DAY)).order_by(*order))
    return EndOfDay(
        unit=unit,
        at=at,
        today=windows.today,
        next_working_day=windows.next_working_day,
        overdue=overdue,
        due_today=due_today,
        due_next=due_next,
        units=_per_unit_and_officer(overdue, due_today, due_next),
    )


def _per_unit_and_officer(
    overdue: list[Dossier], due_today: list[Dossier], due_next: list[Dossier]
) -> list[UnitList]:
    units: dict[int, AdministrativeUnit] = {}
    lists: dict[int, dict[int | None, OfficerList]] = {}
    for name, dossiers in (("overdue", overdue), ("due_today", due_today), ("due_next", due_next)):
        for dossier in dossiers:
            unit = dossier.receiving_unit
            assert unit is not None  # pending dossiers have been received
            units[unit.pk] = unit
            officers = lists.setdefault(unit.pk, {})
            entry = officers.setdefault(dossier.assignee_id, OfficerList(dossier.assignee))
            getattr(entry, name).append(dossier)

    def officer_order(entry: OfficerList) -> tuple[bool, str]:
        # Named officers by name, "unassigned" last.
        person = entry.assignee
        return (person is None, str(person) if person else "")

    return [
        UnitList(units[unit_id], sorted(lists[unit_id].values(), key=officer_order))
        for unit_id in sorted(units, key=lambda pk: (LEVEL_RANK[units[pk].level], units[pk].code))
    ]
