"""A unit's figures for a period as briefing paragraphs in the steering committee's style.

Modelled on the seed article (seed README): "Tổng số hồ sơ đã tiếp nhận phải giải quyết ...:
1.608 (trong đó: Trực tuyến 1.342, trực tiếp 266). Số hồ sơ đã giải quyết 1.604 (... quá hạn
05); số hồ sơ đang giải quyết 43 (trong hạn 43)", then the rates of Decision 766 (§5.3) and the
share of procedures offered online. Counts and rates are formatted as ``rendering`` formats
them; a rate whose denominator is zero is said in words, never computed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.choices import ProcedureLevel
from motcua.core import rates
from motcua.lib.formatting import format_count, format_date, nfc
from motcua.reports.rendering import rate_percent, rate_text, share_text, small_count
from motcua.reports.selectors import Bucket, Report
from motcua.steering import definitions as codes
from motcua.steering.selectors import briefing_facts


def _sentence(clauses: list[str]) -> str:
    text = "; ".join(clauses)
    return text[:1].upper() + text[1:] + "."


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


def _target(facts: dict[str, Any], code: str) -> str:
    """' (province target 100%)' when the province set one for the indicator."""
    target = facts["targets"].get(code)
    if target is None:
        return ""
    return " " + _("(province target %(target)s)") % {"target": target["text"]}


def _quality(r: Report, facts: dict[str, Any]) -> str:
    """Satisfaction, digitisation and electronic certification (Decision 766, §5.3), with the
    province's targets (seed: "77% (tỷ lệ tỉnh giao 100%)")."""
    clauses = []
    if r[Bucket.RATED]:
        clauses.append(
            _("the satisfaction rate of citizens and businesses reached %(rate)s")
            % {"rate": rate_percent(r, rates.SATISFIED)}
        )
    else:
        clauses.append(_("no satisfaction ratings were given in the period"))
    # Whole percent for these two, as the committee writes them (77%, 25%: core.rates).
    if r[Bucket.RECEIVED]:
        clauses.append(
            _("the digitisation rate of dossiers reached %(rate)s")
            % {"rate": rate_percent(r, rates.DIGITISED)}
            + _target(facts, codes.DIGITISATION)
        )
    else:
        clauses.append(_("no dossiers were received to digitise"))
    if r[Bucket.CERTIFICATION]:
        clauses.append(
            _("the electronic certification rate reached %(rate)s")
            % {"rate": rate_percent(r, rates.E_CERTIFIED)}
            + _target(facts, codes.E_CERTIFICATION)
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
            "share": rate_text(r, rates.PAID_ONLINE)
        }
    else:
        payment = _("No dossier received in the period had fees or charges to pay.")
    return f"{services} {payment}"


def _digital(facts: dict[str, Any]) -> str:
    """The digital-transformation indicators the committee entered (seed, third paragraph);
    empty when none is recorded."""
    wording = (
        (codes.MOBILE_COVERAGE, _("%(percent)s of communes and wards covered by 2G/3G/4G")),
        (codes.AGENCY_FIBRE, _("%(percent)s of agencies and units connected by fibre")),
        (
            codes.EID_ACCOUNTS,
            _("%(count)s electronic identification accounts activated (levels 1 and 2)"),
        ),
        (
            codes.DIGITAL_SIGNATURE,
            _(
                "people with a digital or public electronic signature: %(n)s/%(d)s people of "
                "working age, %(percent)s"
            ),
        ),
        (
            codes.FIBRE_HOUSEHOLDS,
            _("households with fibre broadband: %(n)s/%(d)s households, %(percent)s"),
        ),
        (codes.COMMUNITY_SUPPORT, _("%(count)s people supported by community digital teams")),
    )
    clauses = []
    for code, text in wording:
        fact = facts.get(code)
        if fact is None:
            continue
        clauses.append(
            text
            % {
                "count": fact["numerator_text"],
                "n": fact["numerator_text"],
                "d": fact["denominator_text"],
                "percent": fact["percent_text"],
            }
        )
    if not clauses:
        return ""
    return _("Digital transformation: %(clauses)s.") % {"clauses": "; ".join(clauses)}


def _project06(facts: dict[str, Any]) -> str:
    """Project 06 working groups per level (seed: "01 Tổ công tác cấp thành phố (gồm 13
    thành viên)"); empty when there are none."""
    levels = [
        _("%(groups)s working groups at %(level)s (%(members)s members)")
        % {
            "groups": level["groups_text"],
            "level": level["label"].lower(),
            "members": level["members_text"],
        }
        for level in facts["working_groups"]
        if level["groups"]
    ]
    if not levels:
        return ""
    return _("Project 06 (population data, electronic identification): %(levels)s.") % {
        "levels": "; ".join(levels)
    }


def briefing(report: Report) -> str:
    """The paragraphs of the committee's briefing, separated by a blank line, in the active
    language: dossiers; quality rates with the province's targets; online services and
    payment; the digital-transformation indicators and the Project 06 working groups recorded
    by the end of the period (steering app), when there are any."""
    facts = briefing_facts(report.unit, report.period.end)
    paragraphs = [
        _dossiers(report),
        _quality(report, facts),
        _online(report),
        _digital(facts),
        _project06(facts),
    ]
    return nfc("\n\n".join(p for p in paragraphs if p))
