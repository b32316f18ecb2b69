"""A unit's figures for a period, and the dossiers behind each one (domain spec §4–§6).

Figures count the dossiers received by the unit and everything that became it (a report for
the new Phường Bắc Kạn includes its four predecessors', §10.2).

- :func:`report_for` and :func:`report_rows` read the running ledger the write path keeps
  (``dossiers.figures``): one query over days and units, whatever the number of dossiers.
- :func:`report_recomputed` and :func:`report_drill_down` read the dossiers themselves
  through ``core.metrics.buckets``, the same definitions the ledger is built from; ``motcua
  report verify`` checks the two agree exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from motcua.catalog.choices import ProcedureLevel
from motcua.catalog.models import Field
from motcua.catalog.selectors import online_coverage
from motcua.clock.selectors import calendar_for
from motcua.core import index766, metrics
from motcua.dossiers.figures import Calendars
from motcua.dossiers.models import DayFigure, Dossier, FieldDayFigure
from motcua.dossiers.selectors import dossiers_with_facts
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import predecessors, unit_lineage

Bucket = metrics.Bucket
Measure = metrics.Measure
MEASURES = frozenset(m.value for m in Measure)


@dataclass(frozen=True)
class Report:
    """The figures of one unit (and what became it) for one period."""

    unit: AdministrativeUnit
    period: metrics.Period
    totals: dict[Bucket, int]
    # Online public services at the end of the period, per level: (offered online, in force).
    coverage: dict[str, tuple[int, int]]
    # Working seconds taken and allowed by the dossiers resolved in the period (766 2.2).
    measures: dict[Measure, int] = field(default_factory=lambda: dict.fromkeys(Measure, 0))

    def __getitem__(self, bucket: Bucket) -> int:
        return self.totals[bucket]

    def average_days(self, measure: Measure) -> Fraction | None:
        """The average of ``measure`` per resolved dossier, in the unit's working days."""
        if not self.totals[Bucket.RESOLVED]:
            return None
        day = calendar_for(self.unit).office_hours.seconds_per_day
        return Fraction(self.measures[measure], self.totals[Bucket.RESOLVED] * day)


def _dossiers(unit_ids: Iterable[int], period: metrics.Period) -> QuerySet[Dossier]:
    # Only dossiers received before the period ends can count in any figure.
    return Dossier.objects.filter(
        receiving_unit__in=list(unit_ids), received_at__lt=period.hi
    ).order_by("received_at", "id")


def _ids(unit: AdministrativeUnit) -> list[int]:
    return list(unit_lineage(unit).values_list("id", flat=True))


def _sums(model: Any, unit_ids: list[int], period: metrics.Period, *group: str) -> Any:
    """Sums of the ledger per figure (and ``group``): flows over the period's days, stocks
    before its first day and up to its last."""
    rows = model.objects.filter(unit__in=unit_ids, day__lte=period.end).filter(
        Q(figure__in=[b.value for b in metrics.STOCKS]) | Q(day__gte=period.start)
    )
    return rows.values(*group, "figure").annotate(
        in_period=Sum("n", filter=Q(day__gte=period.start)),
        before=Sum("n", filter=Q(day__lt=period.start)),
        to_end=Sum("n"),
    )


def _totals(sums: Iterable[dict[str, Any]]) -> tuple[dict[Bucket, int], dict[Measure, int]]:
    flows: dict[Bucket, int] = {}
    measures = dict.fromkeys(Measure, 0)
    pending_before = pending = overdue = 0
    for row in sums:
        if row["figure"] in MEASURES:
            measures[Measure(row["figure"])] = row["in_period"] or 0
            continue
        figure = Bucket(row["figure"])
        if figure is Bucket.PENDING:
            pending_before, pending = row["before"] or 0, row["to_end"] or 0
        elif figure is Bucket.PENDING_OVERDUE:
            overdue = row["to_end"] or 0
        else:
            flows[figure] = row["in_period"] or 0
    return metrics.totals_from_ledger(flows, pending_before, pending, overdue), measures


def _coverage(period: metrics.Period) -> dict[str, tuple[int, int]]:
    last_day = period.hi.date() - timedelta(days=1)
    return {
        str(level): online_coverage(last_day, level)
        for level in (ProcedureLevel.DISTRICT, ProcedureLevel.COMMUNE)
    }


def unit_totals(
    unit_ids: list[int], period: metrics.Period
) -> tuple[dict[Bucket, int], dict[Measure, int]]:
    """The figures and measures of ``period`` over these receiving units, from the ledger
    (one query)."""
    return _totals(_sums(DayFigure, unit_ids, period))


def report_for(unit: AdministrativeUnit, period: metrics.Period) -> Report:
    """Every figure of ``period`` for ``unit``, read from the ledger."""
    totals, measures = unit_totals(_ids(unit), period)
    return Report(unit, period, totals, _coverage(period), measures)


def report_recomputed(unit: AdministrativeUnit, period: metrics.Period) -> Report:
    """:func:`report_for` computed from the dossiers themselves (what ``verify`` compares)."""
    calendars = Calendars()
    totals = dict.fromkeys(Bucket, 0)
    measures = dict.fromkeys(Measure, 0)
    for dossier, facts in dossiers_with_facts(_dossiers(_ids(unit), period)):
        calendar = calendars.of(dossier)
        for bucket in metrics.buckets(facts, period, calendar):
            totals[bucket] += 1
        for measure, value in metrics.sums([facts], period, calendar).items():
            measures[measure] += value
    return Report(unit, period, totals, _coverage(period), measures)


@dataclass(frozen=True)
class Row:
    """One line of form II.06a: a unit's own counter, or a field of procedures."""

    label: str
    totals: dict[Bucket, int]
    unit: AdministrativeUnit | None = None  # the unit a row by unit covers (with what became it)

    def __getitem__(self, bucket: Bucket) -> int:
        return self.totals[bucket]


def report_rows(unit: AdministrativeUnit, period: metrics.Period, by: str) -> list[Row]:
    """Form II.06a rows (§4.1): ``by="unit"``, the unit's own desk then each unit below it
    (and what became them); ``by="field"``, one row per field of procedures. Rows add up to
    the unit's report. Read from the ledger; a row with nothing to show is left out."""
    if by == "field":
        per_field: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in _sums(FieldDayFigure, _ids(unit), period, "field"):
            per_field[row["field"]].append(row)
        names = dict(Field.objects.filter(pk__in=per_field).values_list("pk", "name"))
        found = [Row(names[pk], _totals(sums)[0]) for pk, sums in per_field.items()]
        return sorted((r for r in found if any(r.totals.values())), key=lambda r: r.label)
    rows = [Row(unit.name, unit_totals([unit.pk], period)[0], unit)]
    # The units directly below and the units merged into this one cover the rest.
    members = list(unit.children.order_by("code")) + list(predecessors(unit))
    for member in members:
        theirs = Row(f"{member.name} ({member.code})", unit_totals(_ids(member), period)[0], member)
        if any(theirs.totals.values()):
            rows.append(theirs)
    return rows


def report_drill_down(
    unit: AdministrativeUnit, period: metrics.Period, bucket: Bucket
) -> list[str]:
    """The codes of the dossiers one figure counts, by the same definitions as the ledger."""
    calendars = Calendars()
    return [
        counted.code
        for counted, facts in dossiers_with_facts(_dossiers(_ids(unit), period))
        if bucket in metrics.buckets(facts, period, calendars.of(counted))
    ]


def index_config() -> index766.Config:
    """Decision 766 points, thresholds and bands: the defaults with ``MOTCUA_766`` applied."""
    return index766.Config.from_overrides(getattr(settings, "MOTCUA_766", {}))


def index_for(report: Report) -> index766.Index766:
    """The Decision 766 groups and total (§5.3) from a report's figures."""
    measured = report.measures[Measure.PROCESSING_SECONDS]
    processing = (report.measures[Measure.STATUTORY_SECONDS], measured) if measured else None
    return index766.score(
        index766.inputs_from_figures(report.totals, report.coverage, processing_seconds=processing),
        index_config(),
    )
