"""The running ledger of figures (``DayFigure``, ``FieldDayFigure``), kept by the write path.

Every service that can change what a dossier counts in (receipt, pauses, payment, resolution,
withdrawal, rating, import) takes a :class:`Snapshot` of the dossier's ledger contributions
before the change and applies the difference after it, in the same transaction. The
contributions come from ``core.metrics.contributions``, i.e. from the same definitions as the
figures and their drill-downs; :func:`ledger_differences` recomputes them from the dossiers
to prove it, and :func:`ledger_rebuild` rewrites the ledger (after a calendar amendment, or to
repair it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum

from motcua.clock.selectors import calendar_at
from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ, WorkingCalendar
from motcua.core.metrics import Bucket, DossierFacts, Measure, contributions
from motcua.core.timeliness import Pause, effective_due
from motcua.dossiers import storage
from motcua.dossiers.ledger_checkpoints import checkpoints_adjust, checkpoints_rebuild
from motcua.dossiers.models import DayFigure, Dossier, FieldDayFigure
from motcua.dossiers.models import Pause as PauseRow
from motcua.dossiers.selectors import (
    Counted,
    FactRow,
    dossier_fact_row_now,
    dossiers_with_facts,
    fact_row_of,
    facts_of_row,
    received_by_q,
)

# Actions whose effects can change a figure (tests/test_figures.py checks the others cannot).
FIGURE_ACTIONS = frozenset(
    {
        workflow.Action.RECEIVE,
        workflow.Action.REQUEST_SUPPLEMENT,
        workflow.Action.SUPPLEMENT,
        workflow.Action.REQUEST_PAYMENT,
        workflow.Action.CONFIRM_PAYMENT,
        workflow.Action.PAY,
        workflow.Action.APPROVE,
        workflow.Action.DENY,
        workflow.Action.WITHDRAW,
        workflow.Action.STOP,
        workflow.Action.RATE,
    }
)

Key = tuple[int, int, Bucket | Measure, date]  # unit id, field id, figure or measure, day


def _figure(value: str) -> Bucket | Measure:
    return Measure(value) if value in Measure._value2member_map_ else Bucket(value)


@dataclass(frozen=True)
class Snapshot:
    """What one dossier contributes to the ledger at a moment, and the fact row and pauses it
    was computed from (kept so :func:`snapshot_after` needs no second read)."""

    items: Counter[Key]
    row: FactRow | None = field(default=None, compare=False)
    pauses: tuple[Any, ...] = field(default=(), compare=False)


class Calendars:
    """Each dossier's working calendar (its receiving unit and agency), asked once per place."""

    def __init__(self) -> None:
        self._known: dict[tuple[int | None, int | None], WorkingCalendar] = {}

    def of(self, dossier: Counted) -> WorkingCalendar:
        place = (dossier.unit_id, dossier.agency_id)
        if place not in self._known:
            self._known[place] = calendar_at(unit_id=place[0], agency_id=place[1])
        return self._known[place]


def _keyed(dossier: Counted, facts: DossierFacts, calendar: WorkingCalendar) -> Counter[Key]:
    unit, field = dossier.unit_id, dossier.field_id
    if unit is None:  # no report counts a dossier that no unit received
        return Counter()
    return Counter(
        {
            (unit, field, bucket, day): n
            for (bucket, day), n in contributions(facts, calendar).items()
        }
    )


def contributions_of(
    queryset: QuerySet[Dossier], calendars: Calendars | None = None
) -> Iterator[tuple[Counted, Counter[Key]]]:
    """Each dossier of ``queryset`` with its ledger contributions."""
    calendars = calendars or Calendars()
    for dossier, facts in dossiers_with_facts(queryset):
        yield dossier, _keyed(dossier, facts, calendars.of(dossier))


def snapshot(dossier_id: int, calendars: Calendars | None = None) -> Snapshot:
    """The dossier's contributions now (inside the caller's transaction)."""
    found = dossier_fact_row_now(dossier_id)
    if found is None:
        return Snapshot(Counter())
    return _snapshot(found[0], found[1], calendars)


def _snapshot(row: FactRow, pauses: list[Any], calendars: Calendars | None) -> Snapshot:
    counted, facts = facts_of_row(row, pauses)
    items = _keyed(counted, facts, (calendars or Calendars()).of(counted))
    return Snapshot(items, row, tuple(pauses))


def snapshot_after(before: Snapshot, dossier: Dossier, calendars: Calendars) -> Snapshot:
    """The contributions after an action that wrote only the dossier's own row and, maybe,
    ended its open pause at the action's moment (resolution, withdrawal, stop): computed
    from ``before``'s row with the dossier's new columns, by the same mapping and definitions
    as a read (``selectors.facts_of_row``, ``core.metrics.contributions``), without reading
    the dossier again. ``before`` must come from :func:`snapshot` in the same transaction."""
    if before.row is None:
        raise ValueError("snapshot_after needs a snapshot read in this transaction")
    pauses = [
        pause
        if pause.ended_at is not None or dossier.paused_since is not None
        else PauseRow(
            dossier_id=dossier.pk,
            reason=pause.reason,
            started_at=pause.started_at,
            ended_at=dossier.last_event_at,
        )
        for pause in before.pauses
    ]
    return _snapshot(fact_row_of(dossier, before.row), pauses, calendars)


def snapshot_new(
    dossier: Dossier, *, components: list[bool], owed: int, calendars: Calendars | None = None
) -> Snapshot:
    """The contributions of a dossier just created (received at the counter): its row as
    written, its components (digitised or not), an obligation when ``owed``; no payment,
    pause or rating yet. No read."""
    version = dossier.procedure_version
    base = {
        "procedure_version__field_id": version.field_id,
        "procedure_version__is_certification": version.is_certification,
        "rating__at": None,
        "rating__level": None,
        "has_components": bool(components),
        "has_undigitised": not all(components),
        "has_reusable": False,
        "has_reused": False,
        "has_obligation": owed > 0,
        "has_paid_online": False,
        "has_pauses": False,
    }
    return _snapshot(fact_row_of(dossier, base), [], calendars)


def contributions_total(ids: list[int]) -> Counter[Key]:
    """What these dossiers contribute together (2.000 at a time)."""
    total: Counter[Key] = Counter()
    calendars = Calendars()
    for start in range(0, len(ids), 2000):
        chunk = Dossier.objects.filter(pk__in=ids[start : start + 2000])
        for _, found in contributions_of(chunk, calendars):
            total.update(found)
    return total


def ledger_apply(
    before: Snapshot | None, after: Snapshot, into: storage.Joined | None = None
) -> None:
    """Add the difference between two snapshots of one dossier to the ledger; with ``into``,
    the delta rows go inside the dossier's own write (one statement on PostgreSQL), which
    the caller sends next in the same transaction."""
    change = Counter(after.items)
    change.subtract(before.items if before else Counter())
    _add({key: n for key, n in change.items() if n}, into)


def ledger_add(contributions: Counter[Key]) -> None:
    """Add many dossiers' contributions at once (history import)."""
    _add({key: n for key, n in contributions.items() if n})


def _add(change: dict[Key, int], into: storage.Joined | None = None) -> None:
    """The one writer of ledger rows: both tables' deltas, then the checkpoints."""
    if not change:
        return
    by_unit: Counter[tuple[int, str, date]] = Counter()
    for (unit, _, bucket, day), n in change.items():
        by_unit[unit, bucket.value, day] += n
    by_field = {
        (unit, field, bucket.value, day): n for (unit, field, bucket, day), n in change.items()
    }
    # Append-only deltas: plain inserts lock no existing row, so writers of one unit and day
    # never wait for each other (readers sum the rows).
    _append(
        [row for row in by_unit.items() if row[1]],
        [row for row in by_field.items() if row[1]],
        into,
    )
    # Keep the yearly stock checkpoints equal to the deltas (a query only for a back-dated day).
    # With ``into`` the deltas are written just after, in the same transaction: the
    # checkpoints' advisory lock is held to commit, so the order inside it does not matter.
    checkpoints_adjust(change)


_CHUNK = 500  # rows per statement (SQLite allows 999 parameters on old builds)


@cache
def _values_sql(model: Any, width: int, rows: int) -> str:
    quote = connection.ops.quote_name
    columns: tuple[str, ...] = ("unit_id", "field_id", "figure", "day", "n")
    if width == 4:
        columns = ("unit_id", "figure", "day", "n")
    placeholders = "(" + ", ".join(["%s"] * width) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
        f" VALUES {', '.join([placeholders] * rows)}"
    )


def _params(rows: list[tuple[tuple[Any, ...], int]]) -> list[Any]:
    adapt = connection.ops.adapt_datefield_value
    params: list[Any] = []
    for key, n in rows:
        params += [adapt(v) if isinstance(v, date) else v for v in key] + [n]
    return params


def _append(
    by_unit: list[tuple[tuple[Any, ...], int]],
    by_field: list[tuple[tuple[Any, ...], int]],
    into: storage.Joined | None = None,
) -> None:
    """Insert the delta rows of both ledger tables. On PostgreSQL one statement (the per-unit
    insert as a data-modifying CTE) when both fit in one chunk, the usual case of one
    dossier's change, or none of their own when ``into`` carries them inside the dossier's
    write (SQLite: one per table, just after it); otherwise one INSERT per table and chunk.
    The SQL of each shape is built once (``_values_sql``)."""
    one_chunk = by_unit and 0 < len(by_field) <= _CHUNK and len(by_unit) <= _CHUNK
    if one_chunk and into is not None:
        into.parts.append((_values_sql(DayFigure, 4, len(by_unit)), _params(by_unit)))
        into.parts.append((_values_sql(FieldDayFigure, 5, len(by_field)), _params(by_field)))
        return
    with storage.write_cursor() as cursor:
        if connection.vendor == "postgresql" and one_chunk:
            sql = (
                f"WITH u AS ({_values_sql(DayFigure, 4, len(by_unit))})"
                f" {_values_sql(FieldDayFigure, 5, len(by_field))}"
            )
            cursor.execute(sql, _params(by_unit) + _params(by_field))
            return
        for model, width, rows in ((DayFigure, 4, by_unit), (FieldDayFigure, 5, by_field)):
            for start in range(0, len(rows), _CHUNK):
                chunk = rows[start : start + _CHUNK]
                cursor.execute(_values_sql(model, width, len(chunk)), _params(chunk))


def _recomputed(unit_ids: Iterable[int] | None) -> Counter[Key]:
    dossiers = Dossier.objects.filter(received_at__isnull=False)
    if unit_ids is not None:
        dossiers = dossiers.filter(received_by_q(list(unit_ids)))
    total: Counter[Key] = Counter()
    for _, found in contributions_of(dossiers):
        total.update(found)
    return total


def _stored(unit_ids: Iterable[int] | None) -> Counter[Key]:
    """The per-field ledger summed per key (several delta rows may share one)."""
    rows = FieldDayFigure.objects.all()
    if unit_ids is not None:
        rows = rows.filter(unit__in=list(unit_ids))
    sums = rows.values_list("unit_id", "field_id", "figure", "day").annotate(total=Sum("n"))
    return Counter(
        {
            (unit, field, _figure(figure), day): total
            for unit, field, figure, day, total in sums.order_by()
            if total
        }
    )


def ledger_differences(unit_ids: Iterable[int] | None = None) -> dict[Key, tuple[int, int]]:
    """Where the ledger disagrees with the dossiers: key -> (stored, recomputed).

    Checks both tables: the per-field rows against the dossiers, and the per-unit rows
    against the per-field rows summed.
    """
    ids = list(unit_ids) if unit_ids is not None else None
    stored, expected = _stored(ids), _recomputed(ids)
    found = {
        key: (stored.get(key, 0), expected.get(key, 0))
        for key in stored.keys() | expected.keys()
        if stored.get(key, 0) != expected.get(key, 0)
    }
    per_unit: Counter[Key] = Counter()
    for (unit, _, bucket, day), n in expected.items():
        per_unit[unit, 0, bucket, day] += n
    rows = DayFigure.objects.all()
    if ids is not None:
        rows = rows.filter(unit__in=ids)
    sums = rows.values_list("unit_id", "figure", "day").annotate(total=Sum("n")).order_by()
    unit_rows = Counter(
        {(unit, 0, _figure(figure), day): total for unit, figure, day, total in sums if total}
    )
    for key in unit_rows.keys() | per_unit.keys():
        if unit_rows.get(key, 0) != per_unit.get(key, 0):
            found[key] = (unit_rows.get(key, 0), per_unit.get(key, 0))
    return found


@transaction.atomic
def ledger_rebuild(unit_ids: Iterable[int] | None = None) -> int:
    """Rewrite the ledger of these units (all: None) from their dossiers; rows written.

    For a calendar amended after the fact (a moved holiday changes when paused dossiers
    become overdue) and for repairs. Cost grows with the dossiers: an administrator's
    command, not a report.
    """
    ids = list(unit_ids) if unit_ids is not None else None
    for model in (DayFigure, FieldDayFigure):
        rows = model.objects.all()
        if ids is not None:
            rows = rows.filter(unit__in=ids)
        rows.delete()
    expected = _recomputed(ids)
    ledger_add(expected)
    checkpoints_rebuild(ids)  # ledger_add adjusted them against the deleted deltas: redo
    return len(expected)


# -- calendar amendments ----------------------------------------------------------------------
#
# A dossier's contributions depend on its calendar only through the working time it measures
# (processing time, pauses moving the due moment). When an administrator amends a calendar,
# the dossiers it can touch are re-counted: their contributions under the old calendar are
# taken before the change is saved and replaced by those under the new one after it, in the
# same transaction (ARCHITECTURE invariant 4: figures stay current). Signed reports keep
# their stored figures (reports.models.SignedReport).


def _province_units(province_id: int | None) -> list[int] | None:
    if province_id is None:
        return None
    from motcua.units.models import AdministrativeUnit
    from motcua.units.selectors import units_below

    return list(
        units_below(AdministrativeUnit.objects.get(pk=province_id), include_self=True).values_list(
            "id", flat=True
        )
    )


def dossiers_touched_by(instance: Any) -> list[int]:
    """Ids of the received dossiers whose figures a calendar row can change."""
    from motcua.clock.models import CalendarOverride, CalendarPolicy

    dossiers = Dossier.objects.filter(received_at__isnull=False)
    if isinstance(instance, CalendarOverride | CalendarPolicy):
        units = _province_units(instance.province_id)
    else:  # office hours of a unit (and below it), of an agency, or the default ones
        units = _province_units(instance.unit_id) if instance.unit_id else None
        if instance.agency_id:
            dossiers = dossiers.filter(receiving_agency_id=instance.agency_id)
    if units is not None:
        dossiers = dossiers.filter(received_by_q(units))
    if isinstance(instance, CalendarOverride):
        days = {instance.date}
        if instance.pk is not None:  # an edit may move the row from another day
            days |= set(
                CalendarOverride.objects.filter(pk=instance.pk).values_list("date", flat=True)
            )
        window = Q()
        for day in days:
            start = datetime.combine(day - timedelta(days=1), time(0), LOCAL_TZ)
            end = datetime.combine(day + timedelta(days=2), time(0), LOCAL_TZ)
            open_then = (
                Q(resolved_at__isnull=True, ended_at__isnull=True)
                | Q(resolved_at__gte=start)
                | Q(ended_at__gte=start)
                | Q(due_at__gte=start)
            )
            window |= Q(received_at__lt=end) & open_then
        dossiers = dossiers.filter(window)
    return list(dossiers.values_list("pk", flat=True))


def calendar_change_begin(instance: Any) -> None:
    """Before a calendar row is saved or deleted: what its dossiers count in now."""
    ids = dossiers_touched_by(instance)
    instance._motcua_ledger = (ids, contributions_total(ids))


def calendar_change_end(instance: Any) -> None:
    """After it: the same dossiers under the new calendar replace what they counted in, and
    motcua's own dossiers get their due moment moved by their pauses on the new calendar."""
    ids, before = getattr(instance, "_motcua_ledger", ([], Counter()))
    _refresh_effective_due(ids)
    ledger_apply(Snapshot(before), Snapshot(contributions_total(ids)))


def _refresh_effective_due(ids: list[int]) -> None:
    """The stored ``effective_due_at`` the queue reads (``overdue_q``) follows an amended
    calendar, as the figures do (``core.metrics.overdue_at`` derives it from the pauses for
    these dossiers). Imported dossiers keep the one their history recorded (invariant 5)."""
    calendars = Calendars()
    own = Dossier.objects.filter(pk__in=ids, imported=False, due_at__isnull=False)
    for dossier in own.prefetch_related("pauses"):
        closed = [Pause(p.started_at, p.ended_at) for p in dossier.pauses.all() if p.ended_at]
        due = dossier.due_at
        if closed and due is not None:
            place = Counted(
                dossier.pk, dossier.code, dossier.receiving_unit_id, dossier.receiving_agency_id, 0
            )
            until = max(pause.end for pause in closed if pause.end is not None)
            due = effective_due(calendars.of(place), due, closed, until)
        if due != dossier.effective_due_at:
            Dossier.objects.filter(pk=dossier.pk).update(effective_due_at=due)
