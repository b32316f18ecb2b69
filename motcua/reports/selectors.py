"""A unit's figures for a period, and the dossiers behind each one (domain spec §4–§6).

Every figure is counted by ``core.metrics.buckets`` over the dossiers received by the unit
and everything that became it (a report for the new Phường Bắc Kạn includes its four
predecessors', §10.2). This is the straightforward path: it reads every dossier of the unit,
so it is exact and its cost grows with them. It is what a fast path must agree with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from motcua.catalog.choices import ProcedureLevel
from motcua.catalog.models import Field
from motcua.catalog.selectors import online_coverage
from motcua.clock.selectors import calendar_for
from motcua.core import metrics
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_facts
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import predecessors, unit_lineage

Bucket = metrics.Bucket


@dataclass(frozen=True)
class Report:
    """The figures of one unit (and what became it) for one period."""

    unit: AdministrativeUnit
    period: metrics.Period
    totals: dict[Bucket, int]
    # Online public services at the end of the period, per level: (offered online, in force).
    coverage: dict[str, tuple[int, int]]

    def __getitem__(self, bucket: Bucket) -> int:
        return self.totals[bucket]


def _dossiers(unit: AdministrativeUnit, period: metrics.Period):  # type: ignore[no-untyped-def]
    # Only dossiers received before the period ends can count in any figure.
    return Dossier.objects.filter(
        receiving_unit__in=unit_lineage(unit), received_at__lt=period.hi
    ).order_by("received_at", "id")


def report_for(unit: AdministrativeUnit, period: metrics.Period) -> Report:
    """Every figure of ``period`` for ``unit``."""
    calendar = calendar_for(unit)
    totals = metrics.count(dossier_facts(_dossiers(unit, period)), period, lambda _: calendar)
    last_day = period.hi.date() - timedelta(days=1)
    coverage = {
        str(level): online_coverage(last_day, level)
        for level in (ProcedureLevel.DISTRICT, ProcedureLevel.COMMUNE)
    }
    return Report(unit, period, dict(totals), coverage)


@dataclass(frozen=True)
class Row:
    """One line of form II.06a: a unit's own counter, or a field of procedures."""

    label: str
    totals: dict[Bucket, int]

    def __getitem__(self, bucket: Bucket) -> int:
        return self.totals[bucket]


def report_rows(unit: AdministrativeUnit, period: metrics.Period, by: str) -> list[Row]:
    """Form II.06a rows (§4.1): ``by="unit"``, the unit's own desk then each unit below it
    (and what became them); ``by="field"``, one row per field of procedures. Rows add up to
    the unit's report."""
    calendar = calendar_for(unit)
    everything = _dossiers(unit, period)

    def row(label: str, dossiers: Any) -> Row:
        totals = metrics.count(dossier_facts(dossiers), period, lambda _: calendar)
        return Row(label, dict(totals))

    if by == "field":
        fields = (
            Field.objects.filter(versions__dossiers__in=everything.values("id"))
            .distinct()
            .order_by("name")
        )
        return [row(f.name, everything.filter(procedure_version__field=f)) for f in fields]
    rows = [row(unit.name, everything.filter(receiving_unit=unit))]
    # The units directly below and the units merged into this one cover the rest.
    members = list(unit.children.order_by("code")) + list(predecessors(unit))
    for member in members:
        theirs = everything.filter(receiving_unit__in=unit_lineage(member))
        if theirs.exists():
            rows.append(row(f"{member.name} ({member.code})", theirs))
    return rows


def report_drill_down(
    unit: AdministrativeUnit, period: metrics.Period, bucket: Bucket
) -> list[str]:
    """The codes of the dossiers one figure counts, by the same definition."""
    calendar = calendar_for(unit)
    facts = metrics.drill_down(
        dossier_facts(_dossiers(unit, period)), period, bucket, lambda _: calendar
    )
    return [str(f.key) for f in facts]
