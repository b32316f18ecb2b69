"""A unit's figures for a period, and the dossiers behind each one (domain spec §4–§6).

Figures count the dossiers received by the unit and everything that became it (a report for
the new Phường Bắc Kạn includes its four predecessors', §10.2).

- :func:`report_for`, :func:`report_rows` and :func:`report_months` read the running ledger
  the write path keeps (``dossiers.figures``): one query over days and units (grouped by unit,
  field or month), whatever the number of dossiers, units or months, after a read of what the
  ledger has summed already; stocks start from the latest yearly checkpoint before the period
  (``dossiers.ledger_checkpoints.ledger_sums``).
- :func:`report_recomputed` and :func:`report_drill_down` read the dossiers themselves
  through ``core.metrics.buckets``, the same definitions the ledger is built from; ``motcua
  report verify`` checks the two agree exactly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction

from django.conf import settings
from django.db.models import QuerySet

from motcua.catalog.choices import ProcedureLevel
from motcua.catalog.models import Field
from motcua.catalog.selectors import online_coverage_by_level
from motcua.clock.selectors import calendar_for
from motcua.core import index766, metrics
from motcua.dossiers.figures import Calendars
from motcua.dossiers.ledger_checkpoints import Grouping, ledger_sums
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossiers_with_facts, received_by_q
from motcua.reports.drill import drill_codes
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import lineage_ids, member_lineages
from motcua.units.tree import unit_tree

Bucket = metrics.Bucket
Measure = metrics.Measure
# The ledger's figure names as enums, looked up rather than built: a province's dashboard turns
# about 2.000 sums into figures a request (an enum's constructor is a tenth of that time).
_BUCKET_OF = {bucket.value: bucket for bucket in Bucket}
_MEASURE_OF = {measure.value: measure for measure in Measure}
_PENDING, _OVERDUE = Bucket.PENDING.value, Bucket.PENDING_OVERDUE.value
_STOCKS = frozenset(bucket.value for bucket in metrics.STOCKS)


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
        received_by_q(list(unit_ids)), received_at__lt=period.hi
    ).order_by("received_at", "id")


@dataclass
class _Sums:
    """One group's sums of the ledger per figure (:func:`_sums`): over the period's days
    (``flows``: every figure read, the stocks' changes in it too) and the stocks before its
    first day (``before``)."""

    flows: dict[str, int] = field(default_factory=dict)
    before: dict[str, int] = field(default_factory=dict)


def _sums(
    unit_ids: list[int],
    period: metrics.Period,
    by: Grouping = Grouping.NONE,
    figures: Iterable[str] | None = None,
) -> defaultdict[int | None, _Sums]:
    """Sums of the ledger per figure (and ``by``: None when not split): flows over the period's
    days, stocks before its first day (every figure, or ``figures``). One query: the stocks
    before the period start from the latest yearly checkpoint
    (``dossiers.ledger_checkpoints``), so the cost depends on the period, not on the years
    before it.

    Kept as two dictionaries a group, not a record per figure: a province's rows are 1.400
    sums at 1 M dossiers, and a record each, merged and read again per row, took most of the
    rows' Python (their report and rows: 15,1 -> 12,4 ms at 1 M, docs/performance.md)."""
    grouped: defaultdict[int | None, _Sums] = defaultdict(_Sums)
    for group, figure, part, n in ledger_sums(
        unit_ids, period.start, period.end, by=by, figures=figures
    ):
        sums = grouped[group]
        into = sums.before if part is None else sums.flows
        into[figure] = into.get(figure, 0) + n
    return grouped


def _merged(parts: Iterable[_Sums | None]) -> _Sums:
    """Several groups' sums (of :func:`_sums`; None: a group with none) added up per figure;
    one group's as they are (a province's 93 rows are each one commune but for the merged
    ones)."""
    found = [part for part in parts if part is not None]
    if len(found) == 1:
        return found[0]
    merged = _Sums()
    for part in found:
        for mine, theirs in ((merged.flows, part.flows), (merged.before, part.before)):
            for figure, n in theirs.items():
                mine[figure] = mine.get(figure, 0) + n
    return merged


def _totals(sums: _Sums) -> tuple[dict[Bucket, int], dict[Measure, int]]:
    flows: dict[Bucket, int] = {}
    measures = dict.fromkeys(_MEASURE_OF.values(), 0)
    for figure, n in sums.flows.items():
        measure = _MEASURE_OF.get(figure)
        if measure is not None:
            measures[measure] = n
        elif figure not in _STOCKS:
            flows[_BUCKET_OF[figure]] = n
    # A stock at the period's end is the stock before it and its changes in it.
    pending_before = sums.before.get(_PENDING, 0)
    pending = pending_before + sums.flows.get(_PENDING, 0)
    overdue = sums.before.get(_OVERDUE, 0) + sums.flows.get(_OVERDUE, 0)
    return metrics.totals_from_ledger(flows, pending_before, pending, overdue), measures


def _coverage(period: metrics.Period) -> dict[str, tuple[int, int]]:
    last_day = period.hi.date() - timedelta(days=1)
    return online_coverage_by_level(last_day, (ProcedureLevel.DISTRICT, ProcedureLevel.COMMUNE))


def unit_totals(
    unit_ids: list[int], period: metrics.Period
) -> tuple[dict[Bucket, int], dict[Measure, int]]:
    """The figures and measures of ``period`` over these receiving units, from the ledger
    (``ledger_sums``: two queries)."""
    return _totals(_sums(unit_ids, period)[None])


def unit_figures(
    unit_ids: list[int], period: metrics.Period, buckets: Collection[Bucket]
) -> dict[Bucket, int]:
    """``buckets`` of :func:`unit_totals`, reading only the ledger figures they come from
    (``core.metrics.ledger_figures_for``): a drill-down's count of the year's receipts over a
    province read all 21 figures and the stocks, 21 ms at 10 M dossiers."""
    sources = [figure.value for figure in metrics.ledger_figures_for(buckets)]
    totals = _totals(_sums(unit_ids, period, figures=sources)[None])[0]
    return {bucket: totals[bucket] for bucket in buckets}


def report_for(unit: AdministrativeUnit, period: metrics.Period) -> Report:
    """Every figure of ``period`` for ``unit``, read from the ledger."""
    totals, measures = unit_totals(lineage_ids(unit), period)
    return Report(unit, period, totals, _coverage(period), measures)


def report_recomputed(unit: AdministrativeUnit, period: metrics.Period) -> Report:
    """:func:`report_for` computed from the dossiers themselves (what ``verify`` compares)."""
    calendars = Calendars()
    totals = dict.fromkeys(Bucket, 0)
    measures = dict.fromkeys(Measure, 0)
    for dossier, facts in dossiers_with_facts(_dossiers(lineage_ids(unit), period)):
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


def row_members(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units a row by unit of form II.06a covers besides the unit's own desk: those
    directly below it (by code), then those merged into it (by code), from the tree in memory
    (``units.tree``)."""
    tree = unit_tree()
    children = tree.units_of(tree.children.get(unit.pk, ()))
    merged = tree.units_of(tree.predecessors.get(unit.pk, ()))
    return sorted(children, key=lambda u: u.code) + sorted(merged, key=lambda u: u.code)


def report_rows(unit: AdministrativeUnit, period: metrics.Period, by: str) -> list[Row]:
    """Form II.06a rows (§4.1): ``by="unit"``, the unit's own desk then each unit below it
    (and what became them); ``by="field"``, one row per field of procedures. Rows add up to
    the unit's report. Read from the ledger in one query grouped by unit or field, whatever
    the number of units (a province has 90+ communes); a row with nothing to show is left
    out."""
    if by == "field":
        per_field = _sums(lineage_ids(unit), period, Grouping.FIELD)
        names = dict(
            Field.objects.filter(pk__in=[pk for pk in per_field if pk]).values_list("pk", "name")
        )
        found = [Row(names[pk], _totals(sums)[0]) for pk, sums in per_field.items() if pk]
        return sorted((r for r in found if any(r.totals.values())), key=lambda r: r.label)
    return _UnitSums.read(unit, period).rows()


def report_with_rows(unit: AdministrativeUnit, period: metrics.Period) -> tuple[Report, list[Row]]:
    """:func:`report_for` and ``report_rows(unit, period, "unit")`` from the one ledger query
    grouped by unit: the report sums the rows of the unit's lineage, each receiving unit once
    (a unit split between two members counts in both rows, but once in the total). The
    dashboard shows both; a province's ledger is read once, not twice (issue 17)."""
    sums = _UnitSums.read(unit, period)
    totals, measures = _totals(_merged(sums.per_unit.get(pk) for pk in lineage_ids(unit)))
    return Report(unit, period, totals, _coverage(period), measures), sums.rows()


@dataclass(frozen=True)
class _UnitSums:
    """The ledger's sums per receiving unit over the unit and its members' lineages: the
    unit's own lineage, since ``units.selectors.member_lineages`` walks the same edges as
    ``unit_lineage`` from each member, keeping the member each unit belongs to."""

    unit: AdministrativeUnit
    members: list[AdministrativeUnit]
    lineages: dict[int, set[int]]
    per_unit: dict[int | None, _Sums]

    @classmethod
    def read(cls, unit: AdministrativeUnit, period: metrics.Period) -> _UnitSums:
        lineages = member_lineages(unit)  # each member's own lineage, walked in memory
        covered = {unit.pk}.union(*lineages.values())
        per_unit = _sums(sorted(covered), period, Grouping.UNIT)
        return cls(unit, row_members(unit), lineages, per_unit)

    def rows(self) -> list[Row]:
        unit, per_unit = self.unit, self.per_unit
        rows = [Row(unit.name, _totals(per_unit.get(unit.pk, _Sums()))[0], unit)]
        for member in self.members:
            # A unit split between two members counts in both rows, as each member's report does.
            pks = self.lineages.get(member.pk, {member.pk})
            theirs = Row(
                f"{member.name} ({member.code})",
                _totals(_merged(per_unit.get(pk) for pk in pks))[0],
                member,
            )
            if any(theirs.totals.values()):
                rows.append(theirs)
        return rows


def report_months(
    unit: AdministrativeUnit,
    months: list[metrics.Period],
    buckets: Collection[Bucket] | None = None,
) -> list[Report]:
    """A report per period of ``months`` (consecutive calendar months, the first and last
    possibly cut), read in one query grouped by month: flows per month, stocks at each month's
    end as the running sum from the stock before the first month. The figures and measures are
    those of :func:`report_for` for each month; the online-services coverage, a catalogue
    figure and not a ledger one, is left empty (the trend does not show it).

    ``buckets``: only these figures are given, read from the ledger figures they come from
    (``core.metrics.ledger_figures_for``; a report's other buckets are missing, not zero): the
    dashboard's trend shows three of the ledger's 21 figures, and reads a seventh of its rows
    (issue 17)."""
    if not months:
        return []
    span = metrics.Period(months[0].start, months[-1].end)
    stock_values = {b.value for b in metrics.STOCKS}
    figures = None
    if buckets is not None:
        figures = {figure.value for figure in metrics.ledger_figures_for(buckets)}
        stock_values &= figures
    before: Counter[str] = Counter()
    per_month: dict[int, Counter[str]] = defaultdict(Counter)
    for found in ledger_sums(
        lineage_ids(unit), span.start, span.end, monthly=True, figures=figures
    ):
        if found.part is None:
            before[found.figure] += found.n
        else:
            per_month[found.part][found.figure] += found.n
    reports = []
    running = Counter(before)
    for month in months:
        moved = per_month.get(month.start.year * 100 + month.start.month, Counter())
        sums = _Sums(dict(moved), {figure: running[figure] for figure in stock_values})
        running.update({figure: moved[figure] for figure in stock_values})
        totals, measures = _totals(sums)
        if buckets is not None:
            totals = {bucket: totals[bucket] for bucket in buckets}
        reports.append(Report(unit, month, totals, {}, measures))
    return reports


def report_drill_down(
    unit: AdministrativeUnit, period: metrics.Period, bucket: Bucket
) -> list[str]:
    """The codes of the dossiers one figure counts, by the same definitions as the ledger:
    candidates narrowed in SQL, then ``core.metrics.buckets`` (``reports.drill``)."""
    return [row.code for chunk in drill_codes(lineage_ids(unit), period, [bucket]) for row in chunk]


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
