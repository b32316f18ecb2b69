"""The end-of-day list as the pages show it: bounded, whatever the number of pending dossiers.

``reports.dashboard.end_of_day`` reads every pending dossier of a unit (the e-mail digest and
the command line want them all). A province has tens of thousands: the dashboard and the
API show instead

- the three counts and, per receiving unit and officer, the counts of each list, from the
  pending tally (``dossiers.tally``) and grouped queries of the dossiers due from today on
  (what the committee checks at the end of the day: who has what);
- the first ``rows`` dossiers of each list (by due moment), placed under their unit and
  officer, from one query per list;
- a link to each list in full, a keyset page at a time (:func:`eod_page`), for the whole
  unit or one unit and officer.

The lists are ``dossiers.selectors.overdue_q`` and ``due_soon_q``, the one definition the
full list, the queue and the command line use, so a count here is the length of the list
``end_of_day`` gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core import workflow
from motcua.core.metrics import Bucket, Period
from motcua.dossiers.models import MAY_STOP, NEVER_STOPPED, Dossier
from motcua.dossiers.selectors import (
    DueSoon,
    DueWindows,
    due_soon_either_q,
    due_soon_q,
    due_windows,
    overdue_q,
    received_by_q,
)
from motcua.dossiers.tally import tally_before, tally_kept
from motcua.lib.paging import Cursor, Ordering, Page, keyset_page
from motcua.reports.drill import DOSSIER_ROW_FIELDS, finished_since
from motcua.reports.selectors import Report, unit_figures
from motcua.units.choices import LEVEL_RANK
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import lineage_ids
from motcua.units.tree import unit_tree

# Rows of each list the dashboard shows before "see more"; rows of a page of a full list.
FIRST_ROWS = 20
PAGE_ROWS = 50
# By due moment (pauses included), the code breaking ties; on the index (receiving_unit,
# status, effective_due_at, code) of dossiers migration 0010.
EOD_ORDER = Ordering.of("effective_due_at", "code", nullable=["effective_due_at"])


class EodList(StrEnum):
    """The end-of-day list's three lists (they never share a dossier)."""

    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_NEXT = "due_next"


# The lists of dossiers due soon, as ``dossiers.selectors`` names their windows.
_SOON = {EodList.DUE_TODAY: DueSoon.TODAY, EodList.DUE_NEXT: DueSoon.NEXT_WORKING_DAY}


def list_q(which: EodList, windows: DueWindows) -> Q:
    """The condition of one list at ``windows.at``."""
    if which is EodList.OVERDUE:
        return overdue_q(windows.at)
    return due_soon_q(windows, _SOON[which])


# What a list's row shows besides the dossier, and the columns it reads: those it shows
# (``drill.DOSSIER_ROW_FIELDS``) and its unit (the officer's id comes with the officer's
# name). Read whole, the rows of the province's lists also read every procedure version's
# legal basis, steps and conditions and each officer's password hash, and the default
# order's sort: 7 ms of SQL for 26 rows at 10 k dossiers (docs/performance.md).
_ROW_RELATED = ("assignee", "procedure_version__procedure", "current_agency", "receiving_agency")
_ROW_COLUMNS = (*DOSSIER_ROW_FIELDS, "receiving_unit")


def _for_rows(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """``dossiers`` read as the lists' rows: with what they show, and only that."""
    return dossiers.select_related(*_ROW_RELATED).only(*_ROW_COLUMNS)


def _received_by(unit: AdministrativeUnit) -> QuerySet[Dossier]:
    """The dossiers the reports count for ``unit``: received by it or a unit in its lineage,
    given as its ids (read once per unit, ``lineage_ids``): as a subquery, the counts'
    statement took 17–18 ms, not 14–15 (a province at 10 M dossiers). A province's lineage,
    every unit there is, is read as any receiving unit (``dossiers.selectors.received_by_q``)."""
    return Dossier.objects.filter(received_by_q(lineage_ids(unit)))


def pending_of(unit: AdministrativeUnit) -> QuerySet[Dossier]:
    """The dossiers the reports count for ``unit`` still pending (the counts per unit and
    officer group them; the rows are read by :func:`listed`)."""
    return _received_by(unit).filter(status__in=[status.value for status in workflow.PENDING])


def listed(unit: AdministrativeUnit, which: EodList, windows: DueWindows) -> QuerySet[Dossier]:
    """The dossiers of list ``which`` of ``unit`` at ``windows.at``, ready for its rows. The
    list's condition holds the pending states itself: asked again (``pending_of``), the
    planner took the two for independent, expected one overdue dossier in 150 where one in
    two was, and sorted them all instead of reading the lists' index in order (a province's
    page of 50 overdue: 92 -> 1,5 ms at 10 M dossiers)."""
    return _for_rows(_received_by(unit).filter(list_q(which, windows)))


@dataclass(frozen=True)
class FirstRow:
    """One of the first dossiers of a list: its ``drill.DOSSIER_ROW_FIELDS`` as ``values()``
    gives them, and where it is counted (receiving unit and officer)."""

    values: dict[str, Any]

    @property
    def code(self) -> str:
        return str(self.values["code"])

    @property
    def receiving_unit_id(self) -> int | None:
        found: int | None = self.values["receiving_unit_id"]
        return found

    @property
    def assignee_id(self) -> int | None:
        found: int | None = self.values["assignee_id"]
        return found


def _first_rows(
    lists: dict[EodList, QuerySet[Dossier]], rows: int
) -> dict[EodList, list[FirstRow]]:
    """The first ``rows`` of each list by due moment: each list's ids chosen on the dossier
    table alone, then the rows of them all joined to what they show, in one statement.
    Joined before the choice, the planner expected one matching dossier and read the units
    and agencies again for each pending one (97 ms for 840 of them at 1 M dossiers,
    docs/performance.md); joined once per list, planning the join took 3,5 ms of each
    list's 4 (10 M dossiers). Read as values, not as dossiers and their four related
    objects: a province's 60 rows took 6,0 ms that way, 3,6 this way."""
    order = EOD_ORDER.order_by()
    chosen = {
        which: list(dossiers.order_by(*order).values_list("pk", flat=True)[:rows])
        for which, dossiers in lists.items()
    }
    shown = [pk for ids in chosen.values() for pk in ids]
    read = Dossier.objects.filter(pk__in=shown).order_by()
    found = {
        row["pk"]: FirstRow(row)
        for row in read.values("pk", "receiving_unit_id", "assignee_id", *DOSSIER_ROW_FIELDS)
    }
    return {which: [found[pk] for pk in ids if pk in found] for which, ids in chosen.items()}


@dataclass
class OfficerCounts:
    """One officer's (or nobody's) lists in one unit: the counts, and the rows among the
    first ones of each list."""

    assignee: User | None
    counts: dict[EodList, int]
    rows: dict[EodList, list[FirstRow]] = field(default_factory=dict)


@dataclass
class UnitCounts:
    unit: AdministrativeUnit
    officers: list[OfficerCounts]


@dataclass(frozen=True)
class Summary:
    """The end-of-day list of ``unit`` at ``at``, bounded: every count, the first rows."""

    unit: AdministrativeUnit
    at: datetime
    today: date
    next_working_day: date
    counts: dict[EodList, int]
    first: dict[EodList, list[FirstRow]]
    units: list[UnitCounts]


def _may_count(
    pending: QuerySet[Dossier], windows: DueWindows, *, since: datetime | None = None
) -> list[tuple[QuerySet[Dossier], dict[EodList, Q]]]:
    """The pending dossiers that may be on a list at ``windows.at``, in two parts apart, each
    with the condition of each list on its rows.

    Never stopped (``NEVER_STOPPED``: a running clock, no supplement asked), a dossier is on a
    list by its due moment alone: overdue before ``at``, then due today, then due on the next
    working day (``overdue_q``, ``due_soon_q``). So only those due before the end of the next
    working day are read, as a range of the pending dossiers' covering index (dossiers 0024),
    and told apart by that moment: the lists' whole conditions, evaluated on each of a
    province's 27.800 overdue dossiers, took 17 of the statement's 34 ms at 10 M dossiers
    (docs/performance.md). With ``since``, only those due from then on: the earlier ones
    come from the pending tally (:func:`_tallied`). A clock stopped late or the supplement
    rule may put any other (``MAY_STOP``) on a list whatever its due moment: those are read
    on their own index (dossiers 0027) with the lists' conditions. The within-time dossiers
    due later are not read at all: 31.100 rows of 54.600 at 10 M dossiers."""
    due = {EodList.OVERDUE: Q(effective_due_at__lt=windows.at)}
    for which, soon in _SOON.items():
        start, end = windows.window(soon)
        due[which] = Q(effective_due_at__gte=start, effective_due_at__lt=end)
    never_stopped = pending.filter(NEVER_STOPPED, effective_due_at__lt=windows.after_next)
    if since is not None:
        never_stopped = never_stopped.filter(effective_due_at__gte=since)
    conditions = {which: list_q(which, windows) for which in EodList}
    return [(never_stopped, due), (pending.filter(MAY_STOP), conditions)]


def _tallied(
    unit: AdministrativeUnit, windows: DueWindows
) -> tuple[datetime, dict[tuple[int, int | None], int]] | None:
    """The overdue dossiers with a running clock due before the day of ``windows.at``, per
    receiving unit and officer, from the pending tally (``dossiers.tally``), and the moment
    from which the dossiers are read instead (midnight of that day); None when they must be
    read one by one: an engine without the tally's triggers, or a past day (the tally holds
    today's state, and its days up to yesterday are folded into one)."""
    if not tally_kept() or windows.today < timezone.localdate():
        return None
    midnight = windows.tomorrow - timedelta(days=1)  # Asia/Ho_Chi_Minh has no summer time
    return midnight, tally_before(lineage_ids(unit), windows.today)


def end_of_day_summary(
    unit: AdministrativeUnit, *, at: datetime | None = None, rows: int = FIRST_ROWS
) -> Summary:
    """Counts per unit and officer (the pending tally's sums, :func:`_tallied`, one grouped
    query per part of :func:`_may_count`, then the officers' names; the units' come from
    ``units.tree``) and the first ``rows`` of each list (one query each, then one for their
    rows): eight queries whatever the volume."""
    at = at or timezone.now()
    windows = due_windows(unit, at)
    # Grouped by the ids alone, then named: a province's 54.600 pending dossiers (10 M
    # dossiers) joined to their unit and officer before grouping took 45 of the page's ms,
    # grouped first 27 (issue 17). No query per unit or officer either way. Only the dossiers
    # that may count are read, in two parts (:func:`_may_count`).
    found: dict[int, dict[int | None, dict[EodList, int]]] = {}
    tallied = _tallied(unit, windows)
    since = None
    if tallied is not None:
        since, overdue = tallied
        for (unit_id, user_id), n in overdue.items():
            theirs = found.setdefault(unit_id, {})
            theirs.setdefault(user_id, dict.fromkeys(EodList, 0))[EodList.OVERDUE] += n
    for part, conditions in _may_count(pending_of(unit), windows, since=since):
        grouped = (
            part.order_by()
            .values("receiving_unit_id", "assignee_id")
            .annotate(**{which.value: Count("pk", filter=q) for which, q in conditions.items()})
        )
        for row in cast("Iterable[dict[str, Any]]", grouped):
            counts = {which: int(row[which.value]) for which in EodList}
            if any(counts.values()):
                theirs = found.setdefault(row["receiving_unit_id"], {})
                known = theirs.setdefault(row["assignee_id"], dict.fromkeys(EodList, 0))
                for which, n in counts.items():
                    known[which] += n
    units = {unit.pk: unit for unit in unit_tree().units_of(found)}
    officers = {user_id for theirs in found.values() for user_id in theirs if user_id is not None}
    people = User.objects.in_bulk(officers)
    lists: dict[int, dict[int | None, OfficerCounts]] = {
        unit_id: {
            user_id: OfficerCounts(None if user_id is None else people[user_id], counts)
            for user_id, counts in theirs.items()
        }
        for unit_id, theirs in found.items()
    }
    received = _received_by(unit)
    first = _first_rows({which: received.filter(list_q(which, windows)) for which in EodList}, rows)
    for which, dossiers in first.items():
        for dossier in dossiers:
            # The counts and the rows are two reads: a dossier handed to an officer with no
            # count (or received) between them is left out of the rows, not a failed page.
            entry = lists.get(dossier.receiving_unit_id or 0, {}).get(dossier.assignee_id)
            if entry is not None:
                entry.rows.setdefault(which, []).append(dossier)

    def officer_order(entry: OfficerCounts) -> tuple[bool, str]:
        # Named officers by name, "not assigned" last.
        return (entry.assignee is None, str(entry.assignee) if entry.assignee else "")

    # A code carried by two units (before and after a merger) in the order they were made.
    ordered = sorted(lists, key=lambda pk: (LEVEL_RANK[units[pk].level], units[pk].code, pk))
    return Summary(
        unit=unit,
        at=at,
        today=windows.today,
        next_working_day=windows.next_working_day,
        counts={
            which: sum(e.counts[which] for officers in lists.values() for e in officers.values())
            for which in EodList
        },
        first=first,
        units=[
            UnitCounts(units[pk], sorted(lists[pk].values(), key=officer_order)) for pk in ordered
        ],
    )


def end_of_day_counts(
    unit: AdministrativeUnit, *, at: datetime | None = None, report: Report | None = None
) -> Summary:
    """The three counts alone: what the dashboard shows. The lists per unit and officer are
    the end-of-day page's (:func:`end_of_day_summary`): for a province that is 90+ communes
    and their officers, a page of its own (issue 17).

    Due today and due on the next working day are read on the due moment's index, from
    ``at`` to the end of the next working day: a day or two of the province's work. Overdue
    is every dossier late, years of them in a province (26 k at 10 M dossiers); on the day
    of ``at`` it comes from the ledger instead, whose stock of overdue dossiers at the end of
    today (``core.metrics.contributions``: a pending dossier turns overdue on the day its
    due moment passes, and leaves the stock when it is finished) is those overdue at ``at``
    and those due later today: overdue = ledger - due today. Both read the dossiers' current
    state, so this holds for any ``at`` of today or a day to come; for a past day the
    dossiers are counted (tested equal: test_dashboard.py).

    ``report``: the unit's report of a period ending on the day of ``at``, if the caller has
    read it (the dashboard's default period, this month to today): its overdue stock at the
    end of that day is the ledger's, read there already."""
    at = at or timezone.now()
    windows = due_windows(unit, at)
    # Both lists in one statement, split by due moment: their conditions differ only in
    # their windows, which meet at midnight. A count filtered by each list's condition had
    # Django resolve the condition twice and compare the second with the first, 1,3 ms of
    # a dashboard's Python (docs/performance.md).
    today_or_next = ExpressionWrapper(
        Q(effective_due_at__lt=windows.tomorrow), output_field=BooleanField()
    )
    soon = (
        _received_by(unit)
        .filter(due_soon_either_q(windows))
        .order_by()
        .values(today=today_or_next)
        .annotate(n=Count("pk"))
    )
    found = {bool(row["today"]): int(row["n"]) for row in soon}
    counts = {EodList.DUE_TODAY: found.get(True, 0), EodList.DUE_NEXT: found.get(False, 0)}
    today = timezone.localdate()
    # The ledger's stock at the end of a day to come is the current state's, projected; of a
    # past day it is that day's. A dossier finished after that day (a history imported with
    # dates ahead) would be in it, so the dossiers are counted then too.
    if windows.today >= today and not finished_since(windows.tomorrow):
        if report is not None and report.unit == unit and report.period.end == windows.today:
            stock = report.totals[Bucket.PENDING_OVERDUE]
        else:
            day, late = Period(windows.today, windows.today), Bucket.PENDING_OVERDUE
            stock = unit_figures(list(lineage_ids(unit)), day, [late])[late]
        counts[EodList.OVERDUE] = stock - counts[EodList.DUE_TODAY]
    else:
        counts[EodList.OVERDUE] = listed(unit, EodList.OVERDUE, windows).count()
    return Summary(
        unit=unit,
        at=at,
        today=windows.today,
        next_working_day=windows.next_working_day,
        counts={which: counts[which] for which in EodList},
        first={},
        units=[],
    )


@dataclass(frozen=True)
class ListPage:
    """A page of one list, in full or for one receiving unit and officer."""

    which: EodList
    at: datetime
    next_working_day: date
    page: Page[Dossier]


def eod_page(
    unit: AdministrativeUnit,
    which: EodList,
    cursor: Cursor | None,
    *,
    at: datetime | None = None,
    receiving: AdministrativeUnit | None = None,
    officer: User | None = None,
    unassigned: bool = False,
    size: int | None = None,
) -> ListPage:
    """One keyset page of list ``which`` of ``unit``: the whole list, or the part of one
    receiving unit (of ``unit``'s lineage) and one officer (or nobody: ``unassigned``)."""
    at = at or timezone.now()
    windows = due_windows(unit, at)
    dossiers = listed(unit, which, windows)
    if receiving is not None:
        dossiers = dossiers.filter(receiving_unit=receiving)
    if officer is not None:
        dossiers = dossiers.filter(assignee=officer)
    elif unassigned:
        dossiers = dossiers.filter(assignee__isnull=True)
    page: Page[Dossier] = keyset_page(dossiers, EOD_ORDER, cursor, size or PAGE_ROWS)
    return ListPage(which, at, windows.next_working_day, page)
