"""The live dashboard's pages and its JSON API: parse the query, check the
user's scope (accounts.access through reports.dashboard), read the figures through
reports.selectors, format them the Vietnamese way (lib.formatting), render.

Every number on a page links to the list of dossiers behind it, which is the same
definition (``report_drill_down``) as the number. Nothing is cached: a transition shows on
the next page load. Bad query parameters answer 400 with a message naming the parameter.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from fractions import Fraction
from itertools import chain
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.db.models import QuerySet, TextChoices
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.catalog.choices import ProcedureLevel
from motcua.core import index766
from motcua.core import rates as core_rates
from motcua.core.clock import LOCAL_TZ
from motcua.core.metrics import Bucket, Measure, Period
from motcua.core.periods import KINDS, LIMITS, named_period, quick_picks
from motcua.core.rates import RateKey
from motcua.dossiers.access import dossier_list_for_user
from motcua.dossiers.choices import Status, Timeliness
from motcua.dossiers.models import Dossier
from motcua.lib.formatting import (
    format_count,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    percent,
)
from motcua.lib.http import BadParameter, ProblemPage, api_view, parameters
from motcua.lib.http import page_view as guard
from motcua.lib.links import url_path
from motcua.lib.paging import CURSOR, Cursor, Page, list_page, read_cursor
from motcua.lib.spreadsheet import safe_row
from motcua.reports import dashboard, drill
from motcua.reports.briefing import briefing, steering_facts
from motcua.reports.drill import DOSSIER_ROW_FIELDS, DRILL_ORDER
from motcua.reports.eod import (
    EOD_ORDER,
    FIRST_ROWS,
    PAGE_ROWS,
    EodList,
    FirstRow,
    ListPage,
    end_of_day_counts,
    end_of_day_summary,
    eod_page,
)
from motcua.reports.eod import Summary as EodSummary
from motcua.reports.forms import (
    AtQuery,
    DrillQuery,
    PeriodQuery,
    UnitQuery,
    UnitsPageQuery,
    cutoff_day,
)
from motcua.reports.pdf import briefing_document, form_06a_document
from motcua.reports.rendering import points_text, rate_percent, report_data
from motcua.reports.selectors import (
    Report,
    index_for,
    report_for,
    report_with_rows,
    unit_figures,
)
from motcua.reports.xlsx import write_form_06a, write_table
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import lineage_ids, unit_lineage

FIGURE_LABELS = {
    Bucket.RECEIVED: gettext_lazy("Received in the period"),
    Bucket.RECEIVED_ONLINE: gettext_lazy("Received online"),
    Bucket.RECEIVED_DIRECT: gettext_lazy("Received in person or by post"),
    Bucket.CARRIED_OVER: gettext_lazy("Carried over from the previous period"),
    Bucket.RESOLVED: gettext_lazy("Resolved"),
    Bucket.RESOLVED_EARLY: gettext_lazy("Resolved early"),
    Bucket.RESOLVED_ON_TIME: gettext_lazy("Resolved on time"),
    Bucket.RESOLVED_LATE: gettext_lazy("Resolved late"),
    Bucket.ENDED: gettext_lazy("Withdrawn or stopped"),
    Bucket.PENDING: gettext_lazy("Being processed"),
    Bucket.PENDING_WITHIN_TIME: gettext_lazy("Being processed, within time"),
    Bucket.PENDING_OVERDUE: gettext_lazy("Being processed, overdue"),
    Bucket.OBLIGATION: gettext_lazy("With a financial obligation"),
    Bucket.PAID_ONLINE: gettext_lazy("Paid online"),
    Bucket.DIGITISED: gettext_lazy("Digitised"),
    Bucket.CERTIFICATION: gettext_lazy("Certification dossiers"),
    Bucket.E_CERTIFIED: gettext_lazy("Certified electronically"),
    Bucket.REUSE_ELIGIBLE: gettext_lazy("With a paper already in the applicant's store"),
    Bucket.REUSED: gettext_lazy("With a paper reused from the applicant's store"),
    Bucket.RATED: gettext_lazy("Rated"),
    Bucket.SATISFIED: gettext_lazy("Satisfied or very satisfied"),
}

# Columns of the units side by side: form II.06a (§4.1) plus withdrawn or stopped.
ROW_COLUMNS = (
    Bucket.RECEIVED,
    Bucket.RECEIVED_ONLINE,
    Bucket.RECEIVED_DIRECT,
    Bucket.CARRIED_OVER,
    Bucket.RESOLVED,
    Bucket.RESOLVED_EARLY,
    Bucket.RESOLVED_ON_TIME,
    Bucket.RESOLVED_LATE,
    Bucket.ENDED,
    Bucket.PENDING,
    Bucket.PENDING_WITHIN_TIME,
    Bucket.PENDING_OVERDUE,
)
# Counts of late and overdue dossiers are written as the committee does: 05 (seed README).
SMALL_COUNTS = frozenset({Bucket.RESOLVED_LATE, Bucket.PENDING_OVERDUE})
DRILL_PAGE_SIZE = 100
# Rows of the dashboard's units side by side on a page.
UNITS_PER_PAGE = 25
# Codes per page of the JSON drill-down (a page of the API is cheap: codes only).
API_PAGE_SIZE = 1000
# The columns of a drill-down list exported to XLSX or CSV (the page's, timeliness apart).
DRILL_COLUMNS = (
    gettext_lazy("No."),
    gettext_lazy("Dossier code"),
    gettext_lazy("Procedure"),
    gettext_lazy("Procedure code"),
    gettext_lazy("Held by"),
    gettext_lazy("Received at"),
    gettext_lazy("Due (pauses included)"),
    gettext_lazy("Resolved at"),
    gettext_lazy("Against the time limit"),
    gettext_lazy("Status"),
    gettext_lazy("Officer"),
)
# The headline rates' labels; their figures and decimals are core.rates' (one definition).
RATE_LABELS = {
    RateKey.ON_TIME: gettext_lazy("Resolved early or on time"),
    RateKey.ONLINE_SUBMISSION: gettext_lazy("Online submission"),
    RateKey.PAID_ONLINE: gettext_lazy("Paid online"),
    RateKey.DIGITISED: gettext_lazy("Digitisation of dossiers"),
    RateKey.E_CERTIFIED: gettext_lazy("Electronic certification"),
    RateKey.REUSED: gettext_lazy("Reuse of digitised papers"),
    RateKey.SATISFIED: gettext_lazy("Satisfaction"),
}


PAGES = ProblemPage(
    back="reports:dashboard",
    back_label=gettext_lazy("Back to the dashboard"),
    not_found_title=gettext_lazy("Not in your units"),
)
page_view = guard(PAGES)


# -- parsing the query --------------------------------------------------------------------


def _text(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "").strip()


def parse_unit_and_period(request: HttpRequest) -> tuple[AdministrativeUnit, Period]:
    """The unit and the period asked for; without a period, the latest one with data for
    the unit (``dashboard.default_period``)."""
    period: Period | None = parameters(PeriodQuery(request.GET))["period"]
    if period is not None:
        return parse_unit(request, period), period
    today = timezone.localdate()
    unit = parse_unit(request, Period(today, today))
    return unit, dashboard.default_period(unit, today)


def parse_unit(request: HttpRequest, period: Period) -> AdministrativeUnit:
    """``unit`` (a code, resolved for the period), or the user's top unit; in scope or
    ``NotVisible``."""
    query = UnitQuery(request.GET, user=cast(User, request.user), period=period)
    return parameters(query)["unit"]  # type: ignore[no-any-return]


def parse_drill(
    request: HttpRequest, unit: AdministrativeUnit
) -> tuple[list[Bucket], QuerySet[Dossier] | None]:
    """``figure`` (one or several, a sum) and ``part`` (one row of the units side by side)."""
    data = parameters(DrillQuery(request.GET, unit=unit))
    return data["figure"], data["part"]


def parse_at(request: HttpRequest) -> datetime | None:
    """``at``: the moment of the end-of-day list (dd/mm/yyyy HH:MM, Vietnam time); now if absent."""
    return parameters(AtQuery(request.GET))["at"]  # type: ignore[no-any-return]


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


# -- presentation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """A count as shown (1.608, 05) and the list of dossiers behind it."""

    text: str
    url: str | None
    figure: str  # the figure name(s), for the page's data-figure attribute


@dataclass(frozen=True)
class Rate:
    """A share as the committee writes it: 508/1.501, 33,84%."""

    key: str
    label: str
    numerator: Number
    denominator: Number
    text: str


def _query(unit: AdministrativeUnit, period: Period) -> dict[str, str]:
    return {"unit": unit.code, "from": format_date(period.start), "to": format_date(period.end)}


def _url(name: str, params: dict[str, str]) -> str:
    return f"{url_path(name)}?{urlencode(params, safe='/,:')}"


def drill_url(
    unit: AdministrativeUnit, period: Period, figures: Sequence[Bucket], part: str | None = None
) -> str:
    params = {**_query(unit, period), "figure": ",".join(f.value for f in figures)}
    if part is not None:
        params["part"] = part
    return _url("reports:drill", params)


def _numbers(
    unit: AdministrativeUnit, period: Period, totals: dict[Bucket, int], part: str | None = None
) -> Callable[..., Number]:
    """A function giving a figure (or a sum of figures) of ``totals`` as a linked number."""
    # The link is drill_url's, its common part built once: a province's dashboard shows
    # about 1.200 numbers, and a reverse() and urlencode() each was a sixth of its time.
    prefix = _url("reports:drill", _query(unit, period))
    suffix = "" if part is None else "&" + urlencode({"part": part}, safe="/,:")

    def number(*figures: Bucket) -> Number:
        count = sum(totals[f] for f in figures)
        small = len(figures) == 1 and figures[0] in SMALL_COUNTS
        text = format_count(count, 2 if small and count else 0)
        names = ",".join(f.value for f in figures)  # letters, "_" and ",": nothing to quote
        return Number(text, f"{prefix}&figure={names}{suffix}", names)

    return number


def headline(report: Report) -> dict[str, Any]:
    """The headline figures and rates, each count linked to its dossiers."""
    number = _numbers(report.unit, report.period, report.totals)
    rates = []
    for rate in core_rates.RATES:
        rates.append(
            Rate(
                rate.key.value,
                str(RATE_LABELS[rate.key]),
                number(*rate.numerator),
                number(rate.denominator),
                rate_percent(report, rate),
            )
        )
    coverage = []
    for level in (ProcedureLevel.DISTRICT, ProcedureLevel.COMMUNE):
        online, in_force = report.coverage[str(level)]
        coverage.append(
            {
                "key": str(level),
                "label": level.label,
                "online": format_number(online),
                "in_force": format_number(in_force),
                "text": format_percent(percent(online, in_force)),
            }
        )
    return {
        "figures": {bucket.value: number(bucket) for bucket in Bucket},
        "in_time": number(Bucket.RESOLVED_EARLY, Bucket.RESOLVED_ON_TIME),
        "rates": rates,
        "coverage": coverage,
    }


def _month_label(month: Period) -> str:
    return f"{month.start:%m/%Y}"


def trend(unit: AdministrativeUnit, period: Period, report: Report | None = None) -> dict[str, Any]:
    """The monthly trend as table rows (linked numbers) and as the chart's data (``report``:
    the unit's report of ``period``, as ``dashboard.monthly_trend`` takes it)."""
    months = dashboard.monthly_trend(unit, period, report)
    shown = dashboard.TREND_BUCKETS
    rows = []
    for month in months:
        number = _numbers(unit, month.period, month.totals)
        rows.append(
            {
                "label": _month_label(month.period),
                "dates": f"{format_date(month.period.start)}–{format_date(month.period.end)}",
                "cells": [number(bucket) for bucket in shown],
            }
        )
    chart = {
        "labels": [_month_label(m.period) for m in months],
        "datasets": [
            {
                "key": bucket.value,
                "label": str(FIGURE_LABELS[bucket]),
                "data": [m[bucket] for m in months],
            }
            for bucket in shown
        ],
    }
    return {
        "rows": rows,
        "columns": [FIGURE_LABELS[b] for b in shown],
        "chart": chart,
        "cut": len(months) == dashboard.TREND_MONTHS,
    }


T = TypeVar("T")


def _units_page(
    request: HttpRequest, units: Sequence[T], anchor: str
) -> tuple[Page[T], dict[str, str]]:
    """The page ``units`` asks for of a table of units (``UNITS_PER_PAGE`` rows: a province has
    90+ communes), and its links, which keep the other parameters and land on ``anchor``."""
    number = parameters(UnitsPageQuery(request.GET))["units"] or 1
    page = list_page(units, number, UNITS_PER_PAGE)
    query = {k: str(v) for k, v in request.GET.items()}
    return page, {k: url + anchor for k, url in page.links(query, "units").items()}


def side_by_side(
    report: Report, unit_rows: list[dashboard.UnitRow], request: HttpRequest
) -> tuple[list[dict[str, Any]], Page[dashboard.UnitRow], dict[str, str]]:
    """One page of the rows of form II.06a per unit, every cell linked to its dossiers, then
    the total, with the page's links. The sums of every row are one grouped query; only the
    page's rows are linked and rendered: a province has 90+ communes (issue 17)."""
    unit, period = report.unit, report.period
    page, links = _units_page(request, unit_rows, "#units")
    rows = []
    for row in page.rows:
        if row.part is None:  # not told apart: shown, but with no list behind its numbers
            cells = [Number(format_count(row[b]), None, b.value) for b in ROW_COLUMNS]
        else:
            number = _numbers(unit, period, row.totals, row.part)
            cells = [number(b) for b in ROW_COLUMNS]
        own = row.part == dashboard.OWN_DESK
        label = _("%(unit)s (own desk)") % {"unit": row.label} if own else row.label
        rows.append({"label": label, "cells": cells, "total": False})
    total = _numbers(unit, period, report.totals)
    rows.append({"label": _("Total"), "cells": [total(b) for b in ROW_COLUMNS], "total": True})
    return rows, page, links


# How each measured 766 sub-indicator reads in words: what was counted, in
# its own unit (dossiers, procedures, working days), then the share.
INDICATOR_WORDS = {
    "2.1": gettext_lazy(
        "%(n)s of %(d)s dossiers resolved early or on time, or still within time: %(percent)s"
    ),
    "3.1": gettext_lazy("%(n)s of %(d)s procedures in force offered online: %(percent)s"),
    "3.3": gettext_lazy("%(n)s of %(d)s dossiers received were submitted online: %(percent)s"),
    "3.6": gettext_lazy(
        "%(n)s of %(d)s dossiers with a financial obligation were paid online: %(percent)s"
    ),
    "4.2": gettext_lazy("%(n)s of %(d)s dossiers received were digitised: %(percent)s"),
}


def _share(value: Fraction) -> str:
    return format_percent(value * 100)


def _indicator_text(report: Report, item: index766.IndicatorScore) -> str:
    """One sub-indicator as a leader reads it."""
    ratio = item.ratio
    if item.code == "2.2":
        taken = report.average_days(Measure.PROCESSING_SECONDS)
        allowed = report.average_days(Measure.STATUTORY_SECONDS)
        if taken is not None and allowed is not None:
            return _(
                "on average %(taken)s working days taken / %(allowed)s working days allowed"
            ) % {"taken": format_number(taken, 1), "allowed": format_number(allowed, 1)}
    if item.code == "5.4":
        parts = index766.satisfaction_parts(report.totals)
        if parts is not None:
            late, unsatisfied = parts
            return _(
                "%(percent)s = 100%% − %(late)s resolved late or overdue − %(unsatisfied)s "
                "not satisfied"
            ) % {
                "percent": _share(item.value),
                "late": _share(late),
                "unsatisfied": _share(unsatisfied),
            }
    words = INDICATOR_WORDS.get(item.code)
    if words is None:
        return f"{format_number(ratio.numerator)}/{format_number(ratio.denominator)} = " + _share(
            item.value
        )
    return str(words) % {
        "n": format_number(ratio.numerator),
        "d": format_number(ratio.denominator),
        "percent": _share(item.value),
    }


def satisfaction_note(report: Report) -> str:
    """Why the satisfaction card and 766 indicator 5.4 differ, in one line (they measure
    different things: ``index766.satisfaction_parts``); empty when 5.4 is not measured."""
    parts = index766.satisfaction_parts(report.totals)
    if parts is None:
        return ""
    late, unsatisfied = parts
    value = max(Fraction(0), 1 - late - unsatisfied)
    return _(
        "Only the ratings count here. Decision 766 indicator 5.4 (%(percent)s) also deducts "
        "the share of dossiers resolved late or overdue (%(late)s)."
    ) % {"percent": _share(value), "late": _share(late)}


def index_view(report: Report) -> dict[str, Any]:
    """The Decision 766 groups (score/maximum, partial flags), the total and its rating; each
    measured sub-indicator in words (``_indicator_text``) with the points it earned."""
    index = index_for(report)
    english = (get_language() or "vi").startswith("en")
    groups = []
    for group in index.groups:
        groups.append(
            {
                "number": group.group.number,
                "name": group.group.label if english else group.group.name_vi,
                "max": format_number(group.group.max_points),
                "score": None if group.score is None else points_text(group.score),
                "partial": group.partial,
                "unmeasured": ", ".join(group.unmeasured),
                "indicators": [
                    {
                        "code": item.code,
                        "name": item.indicator.label if english else item.indicator.name_vi,
                        "text": _indicator_text(report, item),
                        "points": points_text(item.earned),
                        "max": points_text(item.max_points),
                    }
                    for item in group.measured
                ],
            }
        )
    rating = index.rating
    return {
        "groups": groups,
        "total": points_text(index.total),
        "reachable": format_number(index.reachable),
        "out_of_100": None if index.out_of_100 is None else points_text(index.out_of_100),
        "rating": None
        if rating is None
        else (index766.RATING_LABELS if english else index766.RATING_NAMES_VI)[rating],
        "complete": index.complete,
    }


def _moment(value: datetime | None) -> str:
    return format_datetime(timezone.localtime(value, LOCAL_TZ)) if value else ""


def _row_values(dossier: Dossier) -> dict[str, Any]:
    """:data:`DOSSIER_ROW_FIELDS` of a dossier read as a model (the end-of-day lists', whose
    rows also tell their unit and officer), as ``values()`` gives them."""
    values: dict[str, Any] = {}
    for path in DOSSIER_ROW_FIELDS:
        value: Any = dossier
        for name in path.split("__"):
            value = None if value is None else getattr(value, name)
        values[path] = value
    return values


# A choice's label as text, by choice, value and language: labels are fixed per language.
_LABELS: dict[tuple[type[TextChoices], str, str | None], str] = {}


def _label(choices: type[TextChoices], value: str) -> str:
    """The label of ``value`` in the active language, as text: a drill-down's 100 rows each
    asked the catalogue for their status and timeliness (200 lookups a page)."""
    key = (choices, value, get_language())
    found = _LABELS.get(key)
    if found is None:
        found = _LABELS[key] = str(choices(value).label)
    return found


def _dossier_row(values: dict[str, Any]) -> dict[str, Any]:
    """A dossier as the lists show it, from its :data:`DOSSIER_ROW_FIELDS`."""
    timeliness = values["timeliness"]
    return {
        "code": values["code"],
        "procedure": values["procedure_version__name"],
        "procedure_code": values["procedure_version__procedure__code"],
        "agency": values["current_agency__name"] or values["receiving_agency__name"] or "",
        "received": _moment(values["received_at"]),
        "due": _moment(values["effective_due_at"]),
        "resolved": _moment(values["resolved_at"]),
        "status": _label(Status, values["status"]),
        "timeliness": _label(Timeliness, timeliness) if timeliness else "",
        # As ``User.__str__``: the full name, else the username.
        "assignee": values["assignee__full_name"] or values["assignee__username"] or "",
        "paused": values["paused_since"] is not None,
    }


EOD_KINDS = (EodList.OVERDUE, EodList.DUE_TODAY, EodList.DUE_NEXT)
EOD_CSS = {EodList.OVERDUE: "overdue", EodList.DUE_TODAY: "today", EodList.DUE_NEXT: "next"}


def _eod_label(which: EodList, next_working_day: date) -> str:
    if which is EodList.OVERDUE:
        return _("Overdue")
    if which is EodList.DUE_TODAY:
        return _("Due today")
    return _("Due on the next working day (%(day)s)") % {"day": format_date(next_working_day)}


def _eod_url(unit: AdministrativeUnit, at: str, **params: str) -> str:
    """The address of a list of the end-of-day list in full (a keyset page at a time)."""
    query = {"unit": unit.code, **({"at": at} if at else {}), **params}
    return _url("reports:end_of_day", query)


def end_of_day_view(eod: EodSummary, at: str = "") -> dict[str, Any]:
    """The bounded end-of-day list as the templates show it: counts per unit and officer,
    the first rows of each list under their officer, "see more" links to the lists in full."""
    units = []
    for unit_list in eod.units:
        officers = []
        for entry in unit_list.officers:
            username = entry.assignee.username if entry.assignee else ""
            lists = []
            for which in EOD_KINDS:
                count = entry.counts[which]
                if not count:
                    continue
                shown = entry.rows.get(which, [])
                more = _eod_url(
                    eod.unit,
                    at,
                    list=which.value,
                    receiving=str(unit_list.unit.pk),
                    officer=username or UNASSIGNED,
                )
                lists.append(
                    {
                        "key": which.value,
                        "label": _eod_label(which, eod.next_working_day),
                        "css": EOD_CSS[which],
                        "count": format_count(count),
                        "rows": [_dossier_row(row.values) for row in shown],
                        "more_url": more if count > len(shown) else None,
                        "more": format_count(count - len(shown)),
                    }
                )
            officers.append(
                {
                    "name": str(entry.assignee) if entry.assignee else _("Not assigned"),
                    "username": username,
                    "assigned": entry.assignee is not None,
                    "lists": lists,
                }
            )
        units.append(
            {"name": unit_list.unit.name, "code": unit_list.unit.code, "officers": officers}
        )
    return {
        "at": _moment(eod.at),
        "today": format_date(eod.today),
        "next_working_day": format_date(eod.next_working_day),
        "counts": [
            {
                "key": which.value,
                "label": _eod_label(which, eod.next_working_day),
                "css": EOD_CSS[which],
                "count": format_count(eod.counts[which]),
                "url": _eod_url(eod.unit, at, list=which.value) if eod.counts[which] else None,
            }
            for which in EOD_KINDS
        ],
        "first_rows": format_number(FIRST_ROWS),
        "units": units,
    }


def _period_labels() -> dict[tuple[str, int], str]:
    """The picker's label of each (kind, number) in the active language, to be filled with
    ``n`` and ``year``: translated once per page, not once for each of its 100+ options."""
    labels = {
        "month": _("Month %(n)s/%(year)s"),
        "quarter": _("Quarter %(n)s/%(year)s"),
        "nine": _("Nine months %(year)s"),
        "year": _("Year %(year)s"),
    }
    halves = {1: _("Six months %(year)s"), 2: _("Last six months %(year)s")}
    return {
        (kind, n): halves[n] if kind == "half" else labels[kind]
        for kind in KINDS
        for n in range(1, LIMITS[kind] + 1)
    }


def _dates(period: Period) -> str:
    return f"{format_date(period.start)}–{format_date(period.end)}"


@functools.lru_cache(maxsize=256)
def _year_periods(
    year: int, cutoff: int, language: str | None
) -> tuple[tuple[Period, str, str, str], ...]:
    """A year's named periods for the picker: (period, value, label, dates). The same for
    every request of a language and cut-off day, so built once (a province's picker holds
    every year since its first dossier: 140 options, 3 ms a page). ``language`` is the
    active one, a key only: the labels are translated."""
    labels = _period_labels()
    found = []
    for kind in KINDS:
        for n in range(1, LIMITS[kind] + 1):
            value = f"{kind}:{year}-{n}" if LIMITS[kind] > 1 else f"{kind}:{year}"
            named = named_period(kind, year, n, cutoff_day=cutoff)
            label = labels[kind, n] % {"n": n, "year": year}
            found.append((named, value, label, _dates(named)))
    return tuple(found)


def _named_periods(unit: AdministrativeUnit, period: Period) -> list[dict[str, Any]]:
    """The Decree 09/2019 periods of every year from the unit's first dossier (or the shown
    period) to this year, newest year first, for the picker (any period of any year)."""
    cutoff = cutoff_day()
    today = timezone.localdate()
    first = min(period.start.year, dashboard.first_year(unit) or today.year)
    last = max(period.end.year, today.year)
    return [
        {
            "year": str(year),
            "options": [
                {
                    "value": value,
                    "label": label,
                    "dates": dates,
                    "selected": "selected" if named == period else "",
                }
                for named, value, label, dates in _year_periods(year, cutoff, get_language())
            ],
        }
        for year in range(last, first - 1, -1)
    ]


QUICK_LABELS = {
    ("month", False): gettext_lazy("This month"),
    ("month", True): gettext_lazy("Last month"),
    ("quarter", False): gettext_lazy("This quarter"),
    ("quarter", True): gettext_lazy("Last quarter"),
    ("half", False): gettext_lazy("These six months"),
    ("half", True): gettext_lazy("The previous six months"),
    ("year", False): gettext_lazy("This year"),
    ("year", True): gettext_lazy("Last year"),
}


def quick_links(unit: AdministrativeUnit, period: Period, today: date) -> list[dict[str, Any]]:
    """The quick picks (this month, quarter, six months, year and the previous one of each,
    Decree 09/2019 periods, the current ones up to today) as links to the dashboard."""
    links = []
    for pick in quick_picks(today, cutoff_day=cutoff_day()):
        links.append(
            {
                "key": f"{pick.kind}{'-previous' if pick.previous else ''}",
                "label": QUICK_LABELS[pick.kind, pick.previous],
                "dates": _dates(pick.period),
                "url": _url("reports:dashboard", _query(unit, pick.period)),
                "current": pick.period == period,
            }
        )
    return links


def _common(unit: AdministrativeUnit, period: Period) -> dict[str, Any]:
    """What every report page shows: the unit, the period and the address's query for it."""
    return {
        "unit": unit,
        "period": {"from": format_date(period.start), "to": format_date(period.end)},
        "query": urlencode(_query(unit, period), safe="/"),
    }


def _filters(request: HttpRequest, unit: AdministrativeUnit, period: Period) -> dict[str, Any]:
    """The dashboard's filters: the unit picker, every named period from the unit's first
    year, the quick picks. Only the dashboard shows them: the drill-downs, the briefing and
    the end-of-day page built them too (the first year is read from the ledger)."""
    return {
        "units": dashboard.dashboard_units(cast(User, request.user)),
        "named_periods": _named_periods(unit, period),
        "quick": quick_links(unit, period, timezone.localdate()),
    }


def _downloads(unit: AdministrativeUnit, period: Period) -> dict[str, str]:
    """Form II.06a (PDF, Excel) and the briefing (page, PDF) of the unit and period."""
    query = _query(unit, period)
    return {
        "form_pdf": _url("reports:form_06a_pdf", query),
        "form_xlsx": _url("reports:form_06a_xlsx", query),
        "briefing": _url("reports:briefing", query),
        "briefing_pdf": _url("reports:briefing_pdf", query),
    }


# -- pages --------------------------------------------------------------------------------


@page_view
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """Headline figures, Decision 766 groups, monthly trend, units side by side and the
    end-of-day list of one unit for one period."""
    unit, period = parse_unit_and_period(request)
    at = parse_at(request)
    report, unit_rows = dashboard.report_and_unit_rows(unit, period)
    rows, units_page, units_links = side_by_side(report, unit_rows, request)
    eod = end_of_day_counts(unit, at=at, report=report)
    context = {
        **_common(unit, period),
        **_filters(request, unit, period),
        "downloads": _downloads(unit, period),
        "headline": headline(report),
        "index": index_view(report),
        "trend": trend(unit, period, report),
        "columns": [FIGURE_LABELS[b] for b in ROW_COLUMNS],
        "rows": rows,
        "units_page": units_page,
        "units_links": units_links,
        "satisfaction_note": satisfaction_note(report),
        "eod": end_of_day_view(eod, _text(request, "at")),
        "eod_url": _eod_url(unit, _text(request, "at")),
    }
    return render(request, "reports/dashboard.html", context)


def _figure_count(
    unit: AdministrativeUnit, period: Period, figures: list[Bucket], part: str
) -> int:
    """The number a drill-down lists, from the ledger (``ledger_sums``): the unit's lineage's
    figures asked for (``unit_figures``: not its whole report, whose coverage of online
    services is four more queries, nor every ledger figure), or its row of the units side by
    side; a sum for several figures (they are disjoint)."""
    if part:
        rows = [row for row in dashboard.unit_rows(unit, period) if row.part == part]
        totals = rows[0].totals if rows else {}
    else:
        totals = unit_figures(lineage_ids(unit), period, figures)
    return sum(totals.get(figure, 0) for figure in figures)


@page_view
def drill_page(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one number, a keyset page of them at a time: its cost depends on
    the page, not on the unit's history (``reports.drill``)."""
    unit, period = parse_unit_and_period(request)
    figures, part = parse_drill(request, unit)
    position = read_cursor(request.GET.get(CURSOR), DRILL_ORDER)
    page = drill.drill_page(lineage_ids(unit), period, figures, position, DRILL_PAGE_SIZE, part)
    user = cast(User, request.user)
    codes = [row.code for row in page.rows]
    visible = dossier_list_for_user(user).values(*DOSSIER_ROW_FIELDS)
    found = {d["code"]: d for d in visible.filter(code__in=codes)}
    first = page.first + 1
    rows = [
        {**_dossier_row(found[code]), "number": format_number(number)}
        for number, code in enumerate(codes, start=first)
        if code in found
    ]
    params = {k: str(v) for k, v in request.GET.items() if k != CURSOR}
    part_code = _text(request, "part")
    context = {
        **_common(unit, period),
        "figures": " + ".join(str(FIGURE_LABELS[f]) for f in figures),
        "part": part_code,
        "count": format_count(_figure_count(unit, period, figures, part_code)),
        "rows": rows,
        "page": page,
        "links": page.links(params),
        "json_url": _url("reports:api_drill", params),
        "xlsx_url": _url("reports:drill_xlsx", params),
        "csv_url": _url("reports:drill_csv", params),
    }
    return render(request, "reports/drill.html", context)


# -- downloads ----------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Dossiers read per query when a whole drill-down list is exported: a chunk is two queries
# (the list's keyset, then the rows), and a province's 29.660 overdue dossiers took 120 of
# them, 3,7 s of SQL, by 500 (10 M dossiers; 1,6 s by 2.000, a few MB a chunk).
EXPORT_CHUNK = 2000


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_stem(kind: str, unit: AdministrativeUnit, period: Period) -> str:
    return f"{kind}-{unit.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


@page_view
def form_06a_download(request: HttpRequest, kind: str) -> HttpResponse:
    """Form II.06a for the unit and period as PDF or XLSX: the builders ``motcua report
    --format pdf|xlsx`` uses (reports.pdf, reports.xlsx), rows per unit."""
    unit, period = parse_unit_and_period(request)
    report, rows = report_with_rows(unit, period)
    stem = _file_stem("bieu-II.06a", unit, period)
    if kind == "pdf":
        content = form_06a_document(report, rows).to_bytes()
        return _attachment(content, "application/pdf", f"{stem}.pdf")
    buffer = io.BytesIO()
    write_form_06a(buffer, report, rows)
    return _attachment(buffer.getvalue(), XLSX, f"{stem}.xlsx")


@page_view
def briefing_page(request: HttpRequest) -> HttpResponse:
    """The briefing paragraphs (``motcua report --format briefing``) in a box to copy, and
    the same text as a PDF."""
    unit, period = parse_unit_and_period(request)
    context = {
        **_common(unit, period),
        "downloads": _downloads(unit, period),
        "text": briefing(report_for(unit, period), steering_facts(unit, period.end)),
    }
    return render(request, "reports/briefing.html", context)


@page_view
def briefing_pdf(request: HttpRequest) -> HttpResponse:
    """The briefing as a one-page (or longer) A4 document."""
    unit, period = parse_unit_and_period(request)
    report = report_for(unit, period)
    text = briefing(report, steering_facts(unit, period.end))
    content = briefing_document(report, text).to_bytes()
    return _attachment(content, "application/pdf", f"{_file_stem('tom-tat', unit, period)}.pdf")


def _export_rows(request: HttpRequest) -> tuple[list[str], Iterator[list[str]], str]:
    """The header, every row of a drill-down list (all pages, read a chunk at a time: the
    memory a chunk takes, not the list) and the file's stem."""
    unit, period = parse_unit_and_period(request)
    figures, part = parse_drill(request, unit)
    visible = dossier_list_for_user(cast(User, request.user)).values(*DOSSIER_ROW_FIELDS)
    chunks = drill.drill_codes(lineage_ids(unit), period, figures, part, chunk=EXPORT_CHUNK)
    keys = ("code", "procedure", "procedure_code", "agency", "received", "due", "resolved")
    rest = ("timeliness", "status", "assignee")

    def rows() -> Iterator[list[str]]:
        number = 0
        for chunk in chunks:
            found = {d["code"]: d for d in visible.filter(code__in=[r.code for r in chunk])}
            for item in chunk:
                if item.code in found:
                    number += 1
                    row = _dossier_row(found[item.code])
                    yield [str(number), *(str(row[key]) for key in (*keys, *rest))]

    header = [str(label) for label in DRILL_COLUMNS]
    stem = _file_stem("ho-so-" + "-".join(f.value for f in figures), unit, period)
    return header, rows(), stem


@page_view
def drill_xlsx(request: HttpRequest) -> HttpResponse:
    """The whole list behind a number as an XLSX workbook (openpyxl's write-only mode: rows
    go to the file as they are read)."""
    header, rows, stem = _export_rows(request)
    buffer = io.BytesIO()
    write_table(buffer, header, rows, title=_("Dossiers"))
    return _attachment(buffer.getvalue(), XLSX, f"{stem}.xlsx")


def csv_lines(header: list[str], rows: Iterator[list[str]]) -> Iterator[bytes]:
    """A CSV file a line at a time: a BOM, then ``lib.spreadsheet``'s neutralised cells
    (text never becomes a formula), commas and Excel's quoting."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    for row in chain([header], rows):
        writer.writerow(safe_row(row))
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


@page_view
def drill_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The whole list behind a number as CSV, streamed a chunk of dossiers at a time: UTF-8
    with a BOM and commas, as the catalogue's exports (Excel opens it as UTF-8)."""
    header, rows, stem = _export_rows(request)
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


UNASSIGNED = "-"  # the ``officer`` of dossiers assigned to nobody


@dataclass(frozen=True)
class EodListQuery:
    """``list`` (which of the three), ``receiving`` (the id of a unit of the lineage: a code
    may name two, 01843 before and after 01/07/2025) and ``officer``
    (a username, or ``-`` for nobody), ``cursor``: one list of the end-of-day list in full."""

    which: EodList
    receiving: AdministrativeUnit | None
    officer: User | None
    unassigned: bool
    cursor: Cursor | None


def parse_eod_list(request: HttpRequest, unit: AdministrativeUnit) -> EodListQuery | None:
    """The list asked for, None for the summary; :class:`BadParameter` naming the parameter."""
    name = _text(request, "list")
    if not name:
        return None
    try:
        which = EodList(name)
    except ValueError:
        allowed = ", ".join(w.value for w in EodList)
        raise BadParameter(
            _("list: %(value)s is not one of %(allowed)s") % {"value": name, "allowed": allowed},
            field="list",
        ) from None
    receiving = None
    code = _text(request, "receiving")
    if code:
        found = unit_lineage(unit).filter(pk=int(code)) if code.isdigit() else None
        receiving = found.first() if found is not None else None
        if receiving is None:
            raise BadParameter(
                _("receiving: %(value)s is not a unit of %(unit)s")
                % {"value": code, "unit": unit.code},
                field="receiving",
            )
    username = _text(request, "officer")
    officer = None
    if username and username != UNASSIGNED:
        officer = User.objects.filter(username=username).first()
        if officer is None:
            raise BadParameter(
                _("officer: there is no officer %(value)s") % {"value": username},
                field="officer",
            )
    cursor = read_cursor(request.GET.get(CURSOR), EOD_ORDER)
    return EodListQuery(which, receiving, officer, username == UNASSIGNED, cursor)


def _eod_list_page(unit: AdministrativeUnit, query: EodListQuery, at: datetime | None) -> ListPage:
    return eod_page(
        unit,
        query.which,
        query.cursor,
        at=at,
        receiving=query.receiving,
        officer=query.officer,
        unassigned=query.unassigned,
    )


@page_view
def end_of_day_page(request: HttpRequest) -> HttpResponse:
    """The end-of-day list alone (printable), at ``at`` or now; with ``list``, one of its
    lists in full, a keyset page at a time."""
    today = timezone.localdate()
    unit = parse_unit(request, Period(today, today))
    at = parse_at(request)
    query = parse_eod_list(request, unit)
    context = _common(unit, Period(today.replace(day=1), today)) | {
        "units": dashboard.dashboard_units(cast(User, request.user))
    }
    if query is None:
        # A page of the units (with their officers' lists), as the dashboard's table: a
        # province has 90+ communes. The counts above them are the whole lists'.
        summary = end_of_day_summary(unit, at=at)
        shown, links = _units_page(request, summary.units, "#end-of-day")
        context |= {
            "eod": end_of_day_view(replace(summary, units=shown.rows), _text(request, "at")),
            "units_page": shown,
            "units_links": links,
        }
        return render(request, "reports/end_of_day.html", context)
    listed = _eod_list_page(unit, query, at)
    page = listed.page
    params = {k: str(v) for k, v in request.GET.items() if k != CURSOR}
    first = (page.number - 1) * PAGE_ROWS + 1
    context |= {
        "listed": {
            "label": _eod_label(query.which, listed.next_working_day),
            "css": EOD_CSS[query.which],
            "at": _moment(listed.at),
            "receiving": query.receiving,
            "officer": (str(query.officer) if query.officer else _("Not assigned"))
            if query.officer or query.unassigned
            else "",
            "rows": [
                {**_dossier_row(_row_values(d)), "number": format_number(n)}
                for n, d in enumerate(page.rows, start=first)
            ],
            "summary_url": _eod_url(unit, _text(request, "at")),
        },
        "page": page,
        "links": page.links(params),
    }
    return render(request, "reports/end_of_day.html", context)


# -- JSON API -----------------------------------------------------------------------------


@api_view
def api_figures(request: HttpRequest) -> HttpResponse:
    """Every figure of the unit for the period, the online services and the 766 index."""
    unit, period = parse_unit_and_period(request)
    report = report_for(unit, period)
    data = report_data(report)
    number = _numbers(unit, period, report.totals)
    data["drill"] = {bucket.value: number(bucket).url for bucket in Bucket}
    return _json(data)


@api_view
def api_drill(request: HttpRequest) -> HttpResponse:
    """The codes of the dossiers behind one figure (or a sum of figures, or one row's part),
    a keyset page at a time: ``next`` is the address of the following page (None at the end);
    ``count`` is the figure, the length of the whole list."""
    unit, period = parse_unit_and_period(request)
    figures, part = parse_drill(request, unit)
    position = read_cursor(request.GET.get(CURSOR), DRILL_ORDER)
    page = drill.drill_page(lineage_ids(unit), period, figures, position, API_PAGE_SIZE, part)
    params = {k: str(v) for k, v in request.GET.items() if k != CURSOR}
    links = page.links(params)
    part_code = _text(request, "part")
    return _json(
        {
            "unit": {"code": unit.code, "name": unit.name},
            "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
            "figures": [f.value for f in figures],
            "part": part_code or None,
            "count": _figure_count(unit, period, figures, part_code),
            "page": page.number,
            "partial": page.partial,
            "dossiers": [row.code for row in page.rows],
            "next": reverse("reports:api_drill") + links["next"] if "next" in links else None,
        }
    )


@api_view
def api_end_of_day(request: HttpRequest) -> HttpResponse:
    """The end-of-day list as codes: the counts, the first codes of each list and, per unit
    and officer, the counts and the codes among those first ones; ``next`` addresses each
    list in full. With ``list`` (and ``receiving``, ``officer``, ``cursor``): one list, a
    keyset page at a time."""
    today = timezone.localdate()
    unit = parse_unit(request, Period(today, today))
    at = parse_at(request)
    query = parse_eod_list(request, unit)
    api = reverse("reports:api_end_of_day")
    at_text = _text(request, "at")

    def more(**params: str) -> str:
        return (
            api
            + "?"
            + urlencode({"unit": unit.code, **({"at": at_text} if at_text else {}), **params})
        )

    if query is not None:
        listed = _eod_list_page(unit, query, at)
        params = {k: str(v) for k, v in request.GET.items() if k != CURSOR}
        links = listed.page.links(params)
        return _json(
            {
                "unit": {"code": unit.code, "name": unit.name},
                "at": listed.at.isoformat(),
                "list": query.which.value,
                "page": listed.page.number,
                "dossiers": [d.code for d in listed.page.rows],
                "next": api + links["next"] if "next" in links else None,
            }
        )
    eod = end_of_day_summary(unit, at=at)
    names = {
        EodList.OVERDUE: "overdue",
        EodList.DUE_TODAY: "due_today",
        EodList.DUE_NEXT: "due_next_working_day",
    }

    def codes(rows: list[FirstRow]) -> list[str]:
        return [row.code for row in rows]

    def lists(
        counts: dict[EodList, int], rows: dict[EodList, list[FirstRow]], **where: str
    ) -> dict[str, Any]:
        return {names[which]: codes(rows.get(which, [])) for which in EOD_KINDS} | {
            "counts": {names[which]: counts[which] for which in EOD_KINDS},
            "next": {
                names[which]: more(list=which.value, **where)
                if counts[which] > len(rows.get(which, []))
                else None
                for which in EOD_KINDS
            },
        }

    return _json(
        {
            "unit": {"code": unit.code, "name": unit.name},
            "at": eod.at.isoformat(),
            "today": eod.today.isoformat(),
            "next_working_day": eod.next_working_day.isoformat(),
            **lists(eod.counts, eod.first),
            "units": [
                {
                    "code": item.unit.code,
                    "name": item.unit.name,
                    "officers": [
                        {
                            "username": entry.assignee.username if entry.assignee else None,
                            "name": str(entry.assignee) if entry.assignee else None,
                            **lists(
                                entry.counts,
                                entry.rows,
                                receiving=str(item.unit.pk),
                                officer=entry.assignee.username if entry.assignee else UNASSIGNED,
                            ),
                        }
                        for entry in item.officers
                    ],
                }
                for item in eod.units
            ],
        }
    )
