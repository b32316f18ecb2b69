"""A unit's figures (``figures:read``): the period report, the dossiers behind a figure (a
keyset page at a time) and the Decision 766 index, computed exactly as the dashboard computes
them: the same parameter forms (``reports.forms``: the period, the unit resolved for it and
checked against the caller's units, the figure and the row), the same selectors
(``reports.selectors.report_for``, ``index_for``), the same drill-down
(``reports.drill.drill_page``) and the same JSON shapes (``reports.rendering.report_data``,
``core.index766.index_data``) as the dashboard and its /bao-cao/api/ endpoints.

Parameters, as the dashboard's: ``unit`` (a code, resolved for the period; default the
caller's top unit), ``period`` (``month:2024-05``, ``quarter:2024-2``, ``half:2024``,
``nine:2024``, ``year:2024``) or ``from`` and ``to`` (dates, ISO or dd/mm/yyyy; default the
dashboard's period). A unit outside the caller's units answers 404 like a missing one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from motcua.api.auth import Caller, scoped
from motcua.api.choices import Scope
from motcua.api.paging import PageQuery, page_limit
from motcua.api.problems import Problem
from motcua.api.schemas import PROBLEMS, PageOut
from motcua.core import index766
from motcua.core.metrics import Bucket, Period
from motcua.lib.http import BadParameter, parameters
from motcua.lib.paging import read_cursor
from motcua.reports import dashboard, drill
from motcua.reports.drill import DRILL_ORDER
from motcua.reports.forms import DrillQuery, PeriodQuery, UnitQuery
from motcua.reports.rendering import report_data
from motcua.reports.selectors import index_for, report_for
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import lineage_ids

router = Router(tags=["figures"], auth=scoped(Scope.FIGURES_READ))


class FigureQuery(Schema):
    unit: str | None = Field(None, max_length=20, description="unit code (default: yours)")
    period: str | None = Field(
        None, max_length=20, description="month:2024-05, quarter:2024-2, half:2024, year:2024"
    )
    from_: str | None = Field(None, alias="from", max_length=20, description="first day")
    to: str | None = Field(None, max_length=20, description="last day")


class DrillParams(FigureQuery, PageQuery):
    figure: str = Field(
        description="a figure, or several comma-separated (a sum): "
        + ", ".join(b.value for b in Bucket),
        max_length=400,
    )
    part: str | None = Field(
        None, max_length=20, description="one row of the units side by side (own, or a code)"
    )


class UnitRef(Schema):
    code: str
    name: str


class PeriodOut(Schema):
    from_: date = Field(alias="from")
    to: date


class ReportOut(Schema):
    """``reports.rendering.report_data``: the dashboard's figures of the unit for the period."""

    unit: UnitRef
    period: PeriodOut
    figures: dict[str, int]
    online_services: dict[str, dict[str, int]]
    balanced: bool
    average_processing: dict[str, Any]
    index766: dict[str, Any]


class DrilledOut(Schema):
    code: str
    received_at: datetime | None


class DrillOut(PageOut):
    unit: UnitRef
    period: PeriodOut
    figures: list[str]
    part: str | None
    count: int = Field(description="the figure: the length of the whole list")
    items: list[DrilledOut]
    partial: bool = Field(
        False,
        description="the page stopped at its scan budget before it was full: follow next",
    )


def _unit_and_period(request: HttpRequest) -> tuple[AdministrativeUnit, Period]:
    """As the dashboard reads them (``reports.views.parse_unit_and_period``): the period, or
    the dashboard's default for the unit; the unit checked against the caller's units."""
    caller = cast(Caller, request.auth)  # type: ignore[attr-defined]
    period: Period | None = parameters(PeriodQuery(request.GET))["period"]
    if period is None:
        today = timezone.localdate()
        unit = parameters(UnitQuery(request.GET, user=caller.user, period=Period(today, today)))
        return unit["unit"], dashboard.default_period(unit["unit"], today)
    unit = parameters(UnitQuery(request.GET, user=caller.user, period=period))["unit"]
    return unit, period


@router.get(
    "/report",
    response={200: ReportOut, **PROBLEMS},
    summary="A unit's figures for a period (the dashboard's report, with the 766 index)",
    by_alias=True,
)
def figure_report(request: HttpRequest, query: Query[FigureQuery]) -> dict[str, Any]:
    unit, period = _unit_and_period(request)
    return report_data(report_for(unit, period))


@router.get(
    "/index766",
    response={200: dict[str, Any], **PROBLEMS},
    summary="The Decision 766 index of a unit for a period",
)
def figure_index766(request: HttpRequest, query: Query[FigureQuery]) -> dict[str, Any]:
    unit, period = _unit_and_period(request)
    data = index766.index_data(index_for(report_for(unit, period)))
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        **data,
    }


def _count(unit: AdministrativeUnit, period: Period, figures: list[Bucket], part: str) -> int:
    """The number a drill-down lists, from the ledger, as the dashboard's drill page counts
    it: the unit's report, or its row of the units side by side (figures are disjoint)."""
    if part:
        rows = [row for row in dashboard.unit_rows(unit, period) if row.part == part]
        totals = rows[0].totals if rows else {}
    else:
        totals = report_for(unit, period).totals
    return sum(totals.get(figure, 0) for figure in figures)


@router.get(
    "/drill",
    response={200: DrillOut, **PROBLEMS},
    summary="The dossiers behind a figure, a keyset page at a time",
    by_alias=True,
)
def figure_drill(request: HttpRequest, query: Query[DrillParams]) -> dict[str, Any]:
    unit, period = _unit_and_period(request)
    data = parameters(DrillQuery(request.GET, unit=unit))
    figures: list[Bucket] = data["figure"]
    size = page_limit(query.limit)
    try:
        position = read_cursor(query.cursor, DRILL_ORDER, "cursor")
    except BadParameter as error:
        raise Problem.invalid("cursor", error.message) from None
    lineage = lineage_ids(unit)
    page = drill.drill_page(lineage, period, figures, position, size, data["part"])
    part = query.part or ""
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "period": {"from": period.start, "to": period.end},
        "figures": [f.value for f in figures],
        "part": part or None,
        "count": _count(unit, period, figures, part),
        "items": [{"code": row.code, "received_at": row.received_at} for row in page.rows],
        "next": page.next_cursor,
        "previous": page.previous_cursor,
        "partial": page.partial,
    }
