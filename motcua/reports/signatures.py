"""Reads of signed reports: their snapshots, current figures, comparison and verification.

The read side of ``reports.services.report_sign``/``report_restate`` (house style R3: a
selectors module; ``reports/selectors.py`` holds the live figures, this module the signed
ones). A snapshot is what ``rendering.report_data`` gives, without the derived balance flag:
the unit, the period, every figure and the online-service coverage per level. Its hash is the
SHA-256 of its canonical JSON (keys sorted, no spaces, UTF-8), so it does not depend on how
the database stores JSON.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.catalog.choices import ProcedureLevel
from motcua.core import metrics
from motcua.reports.models import Restatement, SignedReport
from motcua.reports.rendering import report_data
from motcua.reports.selectors import Bucket, Report, report_for
from motcua.units.models import AdministrativeUnit

COVERAGE_LEVELS = (str(ProcedureLevel.DISTRICT), str(ProcedureLevel.COMMUNE))
COVERAGE_PARTS = ("online", "in_force")


def report_snapshot(report: Report) -> dict[str, Any]:
    """The figures a signature fixes, as plain JSON data."""
    data = report_data(report)
    return {key: data[key] for key in ("unit", "period", "figures", "online_services")}


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    """SHA-256 (hex) of the snapshot's canonical JSON."""
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def figure_values(snapshot: dict[str, Any]) -> dict[str, int]:
    """Every number of a snapshot by figure name, in the report's order: the figures by their
    ``Bucket`` names (``received``, ``resolved_late``...), then the coverage as
    ``online_services.district.online``, ``online_services.district.in_force``..."""
    values: dict[str, int] = {}
    figures = snapshot.get("figures", {})
    # Known figures first in the report's order, then any the definitions no longer have.
    for name in [b.value for b in Bucket] + sorted(set(figures) - {b.value for b in Bucket}):
        if name in figures:
            values[name] = int(figures[name])
    coverage = snapshot.get("online_services", {})
    for level in [*COVERAGE_LEVELS, *sorted(set(coverage) - set(COVERAGE_LEVELS))]:
        for part in COVERAGE_PARTS:
            if part in coverage.get(level, {}):
                values[f"online_services.{level}.{part}"] = int(coverage[level][part])
    return values


def figure_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures that differ between two snapshots: ``{"figure", "before", "after"}`` each,
    ``None`` for a figure one of them does not have."""
    old, new = figure_values(before), figure_values(after)
    names = list(old) + [name for name in new if name not in old]
    return [
        {"figure": name, "before": old.get(name), "after": new.get(name)}
        for name in names
        if old.get(name) != new.get(name)
    ]


def signed_report_get(*, unit: AdministrativeUnit, period: metrics.Period) -> SignedReport | None:
    """The signature of the unit's report for exactly this period, if there is one."""
    return (
        SignedReport.objects.filter(unit=unit, period_start=period.start, period_end=period.end)
        .select_related("unit", "signed_by")
        .first()
    )


def signed_report_list(*, unit: AdministrativeUnit | None = None) -> QuerySet[SignedReport]:
    """Signed reports, latest period first (one unit's, or every unit's)."""
    signed = SignedReport.objects.select_related("unit", "signed_by").prefetch_related(
        "restatements"
    )
    return signed.filter(unit=unit) if unit is not None else signed


def restatement_list(signed: SignedReport) -> list[Restatement]:
    """The report's restatements, oldest first."""
    return list(signed.restatements.order_by("number").select_related("restated_by"))


def signed_figures(signed: SignedReport) -> dict[str, Any]:
    """The report's current figures: its latest restatement's, else the signed ones."""
    latest = signed.restatements.order_by("-number").only("figures").first()
    figures: dict[str, Any] = latest.figures if latest is not None else signed.figures
    return figures


@dataclass(frozen=True)
class FigureComparison:
    """One figure of a signed report: the value it stands at and the value computed now."""

    figure: str
    signed: int | None
    live: int | None

    @property
    def changed(self) -> bool:
        return self.signed != self.live


def report_compare(signed: SignedReport) -> list[FigureComparison]:
    """Every figure of the report as it stands (latest restatement, else as signed) next to
    the same figure computed now from the dossiers and the calendar."""
    current = figure_values(signed_figures(signed))
    live = figure_values(
        report_snapshot(
            report_for(signed.unit, metrics.Period(signed.period_start, signed.period_end))
        )
    )
    names = list(current) + [name for name in live if name not in current]
    return [FigureComparison(name, current.get(name), live.get(name)) for name in names]


def signed_report_verify(signed: SignedReport) -> list[str]:
    """What is wrong with the stored signature and its restatements; empty when intact.

    Finds a figure edited in the database (the hash no longer matches), a snapshot moved to
    another unit or period, and a restatement whose "before" is not what the report stood at.
    Limit: the hash is not keyed, so someone who rewrites figures *and* hash consistently is
    not caught from the database alone; the hash printed on the signed paper report is.
    """
    problems: list[str] = []
    label = str(signed)
    if snapshot_hash(signed.figures) != signed.figures_hash:
        problems.append(
            _("%(report)s: the signed figures do not match their hash") % {"report": label}
        )
    stored = signed.figures if isinstance(signed.figures, dict) else {}
    identity = (
        stored.get("unit", {}).get("code"),
        stored.get("period", {}).get("from"),
        stored.get("period", {}).get("to"),
    )
    expected = (signed.unit.code, signed.period_start.isoformat(), signed.period_end.isoformat())
    if identity != expected:
        problems.append(
            _("%(report)s: the signed figures are those of another unit or period")
            % {"report": label}
        )
    previous = signed.figures
    for restatement in restatement_list(signed):
        name = f"{label} #{restatement.number}"
        if snapshot_hash(restatement.figures) != restatement.figures_hash:
            problems.append(
                _("%(report)s: the restated figures do not match their hash") % {"report": name}
            )
        if restatement.previous_figures != previous:
            problems.append(
                _("%(report)s: the figures before do not follow from the previous ones")
                % {"report": name}
            )
        if restatement.changes != figure_changes(restatement.previous_figures, restatement.figures):
            problems.append(
                _("%(report)s: the recorded changes do not match the figures") % {"report": name}
            )
        previous = restatement.figures
    return problems
