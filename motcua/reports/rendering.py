"""A report as JSON data or as Vietnamese text in the committee's phrasing (seed README).

Counts read "1.608 (trong đó: Trực tuyến 1.342, trực tiếp 266)", small counts of late
dossiers "quá hạn 05", rates "189/257 chiếm 73,54%". Digitisation and electronic
certification are given in whole percent, as the committee does (77%, 25%).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.choices import ProcedureLevel
from motcua.core import index766, rates
from motcua.lib.formatting import format_count, format_date, format_number, format_percent, percent
from motcua.reports.selectors import Bucket, Measure, Report, index_for


def share_text(numerator: int, denominator: int, decimals: int = 2) -> str:
    """'508/1.501 chiếm 33,84%' (or 'không có' when nothing was counted)."""
    if denominator == 0:
        return _("none")
    rate = format_percent(percent(numerator, denominator), decimals)
    return _("%(n)s/%(d)s, %(rate)s") % {
        "n": format_number(numerator),
        "d": format_number(denominator),
        "rate": rate,
    }


def rate_text(report: Report, rate: rates.Rate) -> str:
    """One of :mod:`core.rates` in ``report`` as :func:`share_text` writes it, in the rate's
    decimals."""
    return share_text(*rate.counts(report.totals), rate.decimals)


def rate_percent(report: Report, rate: rates.Rate) -> str:
    """One of :mod:`core.rates` in ``report`` as a percentage alone: '73,54%', '77%'."""
    return format_percent(percent(*rate.counts(report.totals)), rate.decimals)


def small_count(count: int) -> str:
    """A count of late or overdue dossiers as the committee writes it: 05, but 0 for none."""
    return format_count(count, 2 if count else 0)


def report_data(report: Report) -> dict[str, Any]:
    """Plain data for JSON: every figure, the coverage, the period and the unit."""
    return {
        "unit": {"code": report.unit.code, "name": report.unit.name},
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "figures": {bucket.value: count for bucket, count in report.totals.items()},
        "online_services": {
            level: {"online": online, "in_force": in_force}
            for level, (online, in_force) in report.coverage.items()
        },
        "balanced": report[Bucket.CARRIED_OVER] + report[Bucket.RECEIVED]
        == report[Bucket.RESOLVED] + report[Bucket.ENDED] + report[Bucket.PENDING],
        "average_processing": {
            "processing_seconds": report.measures[Measure.PROCESSING_SECONDS],
            "statutory_seconds": report.measures[Measure.STATUTORY_SECONDS],
            "working_days": _days(report.average_days(Measure.PROCESSING_SECONDS)),
            "statutory_working_days": _days(report.average_days(Measure.STATUTORY_SECONDS)),
        },
        "index766": index766.index_data(index_for(report)),
    }


def _days(value: Fraction | None) -> float | None:
    return None if value is None else float(index766.rounded(value))


def average_text(report: Report) -> str:
    """'2,35 working days (statutory 4,87)', or 'none' when nothing was resolved."""
    taken = report.average_days(Measure.PROCESSING_SECONDS)
    allowed = report.average_days(Measure.STATUTORY_SECONDS)
    if taken is None or allowed is None:
        return _("none")
    return _("%(taken)s working days (statutory %(allowed)s)") % {
        "taken": format_number(taken, 2),
        "allowed": format_number(allowed, 2),
    }


def points_text(value: Fraction | None) -> str:
    """Points of the 766 index as published: 2 decimals, half-up on the exact value
    (``index766.rounded``, as the rating reads them), '-' when not measured."""
    return "-" if value is None else format_number(index766.rounded(value), 2)


def index_lines(index: index766.Index766) -> list[str]:
    """The Decision 766 groups and total, a line each; partial groups say what is missing."""
    lines = []
    for group in index.groups:
        line = _("Group %(n)s, %(name)s: %(score)s/%(max)s points") % {
            "n": group.group.number,
            "name": group.group.name_vi,
            "score": points_text(group.score),
            "max": group.group.max_points,
        }
        if group.unmeasured:
            line += " " + _("(not measured: %(codes)s)") % {"codes": ", ".join(group.unmeasured)}
        lines.append(line)
    if index.rating is not None:
        lines.append(
            _("Total: %(total)s of the %(reachable)s points measured, %(score)s/100: %(rating)s")
            % {
                "total": points_text(index.total),
                "reachable": index.reachable,
                "score": points_text(index.out_of_100),
                "rating": index766.RATING_NAMES_VI[index.rating],
            }
        )
    return lines


def report_text(report: Report) -> str:
    """The report as Vietnamese (or English) lines."""
    r = report
    city_online, city_total = r.coverage[ProcedureLevel.DISTRICT]
    commune_online, commune_total = r.coverage[ProcedureLevel.COMMUNE]
    lines = [
        _("Status and results of handling administrative procedures: %(unit)s (%(code)s)")
        % {"unit": r.unit.name, "code": r.unit.code},
        _("Period: from %(start)s to %(end)s")
        % {"start": format_date(r.period.start), "end": format_date(r.period.end)},
        "",
        _(
            "Dossiers received: %(total)s (of which: online %(online)s, in person "
            "%(direct)s); carried over from the previous period: %(carried)s."
        )
        % {
            "total": format_count(r[Bucket.RECEIVED]),
            "online": format_count(r[Bucket.RECEIVED_ONLINE]),
            "direct": format_count(r[Bucket.RECEIVED_DIRECT]),
            "carried": format_count(r[Bucket.CARRIED_OVER]),
        },
        _(
            "Resolved: %(total)s (early or on time %(in_time)s, late %(late)s); "
            "withdrawn or stopped: %(ended)s."
        )
        % {
            "total": format_count(r[Bucket.RESOLVED]),
            "in_time": format_count(r[Bucket.RESOLVED_EARLY] + r[Bucket.RESOLVED_ON_TIME]),
            "late": small_count(r[Bucket.RESOLVED_LATE]),
            "ended": format_count(r[Bucket.ENDED]),
        },
        _("Being processed: %(total)s (within time %(within)s, overdue %(overdue)s).")
        % {
            "total": format_count(r[Bucket.PENDING]),
            "within": format_count(r[Bucket.PENDING_WITHIN_TIME]),
            "overdue": small_count(r[Bucket.PENDING_OVERDUE]),
        },
        _("Average processing time: %(average)s.") % {"average": average_text(r)},
        _("Paid online: %(share)s.") % {"share": rate_text(r, rates.PAID_ONLINE)},
        _("Digitisation of dossiers: %(share)s.") % {"share": rate_text(r, rates.DIGITISED)},
        _("Electronic certification: %(share)s.") % {"share": rate_text(r, rates.E_CERTIFIED)},
        _("Satisfaction: %(share)s.") % {"share": rate_text(r, rates.SATISFIED)},
        _("Online public services (full and partial): city level %(city)s; commune %(commune)s.")
        % {
            "city": share_text(city_online, city_total),
            "commune": share_text(commune_online, commune_total),
        },
        "",
        _(
            "Balance: carried over %(carried)s + received %(received)s = resolved %(resolved)s + "
            "withdrawn or stopped %(ended)s + being processed %(pending)s"
        )
        % {
            "carried": format_count(r[Bucket.CARRIED_OVER]),
            "received": format_count(r[Bucket.RECEIVED]),
            "resolved": format_count(r[Bucket.RESOLVED]),
            "ended": format_count(r[Bucket.ENDED]),
            "pending": format_count(r[Bucket.PENDING]),
        },
        "",
        _("Decision 766 index (§5.3):"),
        *index_lines(index_for(r)),
    ]
    return "\n".join(lines)
