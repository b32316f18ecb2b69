"""A report as JSON data or as Vietnamese text in the committee's phrasing (seed README).

Counts read "1.608 (trong đó: Trực tuyến 1.342, trực tiếp 266)", small counts of late
dossiers "quá hạn 05", rates "189/257 chiếm 73,54%". Digitisation and electronic
certification are given in whole percent, as the committee does (77%, 25%).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.choices import ProcedureLevel
from motcua.lib.formatting import format_count, format_date, format_number, format_percent, percent
from motcua.reports.selectors import Bucket, Report


def _share(numerator: int, denominator: int, decimals: int = 2) -> str:
    """'508/1.501 chiếm 33,84%' (or 'không có' when nothing was counted)."""
    if denominator == 0:
        return _("none")
    rate = format_percent(percent(numerator, denominator), decimals)
    return _("%(n)s/%(d)s, %(rate)s") % {
        "n": format_number(numerator),
        "d": format_number(denominator),
        "rate": rate,
    }


def _small(count: int) -> str:
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
    }


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
            "late": _small(r[Bucket.RESOLVED_LATE]),
            "ended": format_count(r[Bucket.ENDED]),
        },
        _("Being processed: %(total)s (within time %(within)s, overdue %(overdue)s).")
        % {
            "total": format_count(r[Bucket.PENDING]),
            "within": format_count(r[Bucket.PENDING_WITHIN_TIME]),
            "overdue": _small(r[Bucket.PENDING_OVERDUE]),
        },
        _("Paid online: %(share)s.")
        % {"share": _share(r[Bucket.PAID_ONLINE], r[Bucket.OBLIGATION])},
        _("Digitisation of dossiers: %(share)s.")
        % {"share": _share(r[Bucket.DIGITISED], r[Bucket.RECEIVED], 0)},
        _("Electronic certification: %(share)s.")
        % {"share": _share(r[Bucket.E_CERTIFIED], r[Bucket.CERTIFICATION], 0)},
        _("Satisfaction: %(share)s.") % {"share": _share(r[Bucket.SATISFIED], r[Bucket.RATED])},
        _("Online public services (full and partial): city level %(city)s; commune %(commune)s.")
        % {
            "city": _share(city_online, city_total),
            "commune": _share(commune_online, commune_total),
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
    ]
    return "\n".join(lines)
