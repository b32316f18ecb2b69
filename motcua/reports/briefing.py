"""A unit's figures for a period as briefing paragraphs in the steering committee's style.

Modelled on the seed article (seed README): "Tổng số hồ sơ đã tiếp nhận phải giải quyết ...:
1.608 (trong đó: Trực tuyến 1.342, trực tiếp 266). Số hồ sơ đã giải quyết 1.604 (... quá hạn
05); số hồ sơ đang giải quyết 43 (trong hạn 43)", then the rates of Decision 766 (§5.3) and the
share of procedures offered online. Counts and rates are formatted as ``rendering`` formats
them; a rate whose denominator is zero is said in words, never computed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from motcua.catalog.choices import ProcedureLevel
from motcua.lib.formatting import format_count, format_date, format_percent, nfc, percent
from motcua.reports.rendering import share_text, small_count
from motcua.reports.selectors import Bucket, Report


def _sentence(clauses: list[str]) -> str:
    text = "; ".join(clauses)
    return text[:1].upper() + text[1:] + "."


def _rate(numerator: int, denominator: int, decimals: int) -> str:
    # Only called with a denominator above zero (the caller words the empty case).
    return format_percent(percent(numerator, denominator), decimals)


def _dossiers(r: Report) -> str:
    """What was received, resolved and is still being processed."""
    period = {
        "start": format_date(r.period.start),
        "end": format_date(r.period.end),
        "unit": r.unit.name,
    }
    if r[Bucket.RECEIVED] == 0 and r[Bucket.CARRIED_OVER] == 0:
        return (
            _(
                "From %(start)s to %(end)s, %(unit)s received no dossiers and none were "
                "carried over from the previous period."
            )
            % period
        )
    if r[Bucket.RECEIVED]:
        received = _(
            "From %(start)s to %(end)s, the total number of dossiers received for handling by "
            "%(unit)s was %(received)s (of which: online %(online)s, in person %(direct)s)"
        ) % {
            **period,
            "received": format_count(r[Bucket.RECEIVED]),
            "online": format_count(r[Bucket.RECEIVED_ONLINE]),
            "direct": format_count(r[Bucket.RECEIVED_DIRECT]),
        }
    else:
        received = _("From %(start)s to %(end)s, %(unit)s received no new dossiers") % period
    if r[Bucket.CARRIED_OVER]:
        carried = _("carried over from the previous period: %(carried)s") % {
            "carried": format_count(r[Bucket.CARRIED_OVER])
        }
    else:
        carried = _("no dossiers were carried over from the previous period")

    outcome = []
    in_time = r[Bucket.RESOLVED_EARLY] + r[Bucket.RESOLVED_ON_TIME]
    figures = {
        "resolved": format_count(r[Bucket.RESOLVED]),
        "in_time": format_count(in_time),
        "late": small_count(r[Bucket.RESOLVED_LATE]),
        "ended": format_count(r[Bucket.ENDED]),
        "pending": format_count(r[Bucket.PENDING]),
        "within": format_count(r[Bucket.PENDING_WITHIN_TIME]),
        "overdue": small_count(r[Bucket.PENDING_OVERDUE]),
    }
    if not r[Bucket.RESOLVED]:
        outcome.append(_("no dossier has been resolved yet"))
    elif r[Bucket.RESOLVED_LATE]:
        outcome.append(
            _("dossiers resolved: %(resolved)s (early or on time %(in_time)s, late %(late)s)")
            % figures
        )
    else:
        outcome.append(
            _("dossiers resolved: %(resolved)s (early or on time %(in_time)s)") % figures
        )
    if r[Bucket.ENDED]:
        outcome.append(_("withdrawn or stopped: %(ended)s") % figures)
    if not r[Bucket.PENDING]:
        outcome.append(_("no dossiers are still being processed"))
    elif r[Bucket.PENDING_OVERDUE]:
        outcome.append(
            _("dossiers being processed: %(pending)s (within time %(within)s, overdue %(overdue)s)")
            % figures
        )
    else:
        outcome.append(
            _("dossiers being processed: %(pending)s (within time %(within)s)") % figures
        )
    return _sentence([received, carried]) + " " + _sentence(outcome)


def _quality(r: Report) -> str:
    """Satisfaction, digitisation and electronic certification (Decision 766, §5.3)."""
    clauses = []
    if r[Bucket.RATED]:
        clauses.append(
            _("the satisfaction rate of citizens and businesses reached %(rate)s")
            % {"rate": _rate(r[Bucket.SATISFIED], r[Bucket.RATED], 2)}
        )
    else:
        clauses.append(_("no satisfaction ratings were given in the period"))
    # Whole percent for these two, as the committee writes them (77%, 25%).
    if r[Bucket.RECEIVED]:
        clauses.append(
            _("the digitisation rate of dossiers reached %(rate)s")
            % {"rate": _rate(r[Bucket.DIGITISED], r[Bucket.RECEIVED], 0)}
        )
    else:
        clauses.append(_("no dossiers were received to digitise"))
    if r[Bucket.CERTIFICATION]:
        clauses.append(
            _("the electronic certification rate reached %(rate)s")
            % {"rate": _rate(r[Bucket.E_CERTIFIED], r[Bucket.CERTIFICATION], 0)}
        )
    else:
        clauses.append(_("no certification dossiers were received"))
    return _sentence(clauses)


def _online(r: Report) -> str:
    """Procedures offered online per level, and dossiers paid online."""

    def coverage(level: ProcedureLevel) -> str:
        online, in_force = r.coverage.get(str(level), (0, 0))
        if not in_force:
            return _("no procedures in force")
        return share_text(online, in_force)

    services = _(
        "Full and partial online public services: city level %(city)s; "
        "commune and ward level %(commune)s."
    ) % {
        "city": coverage(ProcedureLevel.DISTRICT),
        "commune": coverage(ProcedureLevel.COMMUNE),
    }
    if r[Bucket.OBLIGATION]:
        payment = _("Dossiers paid online successfully: %(share)s.") % {
            "share": share_text(r[Bucket.PAID_ONLINE], r[Bucket.OBLIGATION])
        }
    else:
        payment = _("No dossier received in the period had fees or charges to pay.")
    return f"{services} {payment}"


def briefing(report: Report) -> str:
    """Three paragraphs (dossiers; quality rates; online services and payment), separated by
    a blank line, in the active language."""
    paragraphs = [_dossiers(report), _quality(report), _online(report)]
    return nfc("\n\n".join(paragraphs))
