"""A unit's figures for a period as briefing paragraphs in the steering committee's style.

Modelled on the seed article (seed README): "Tổng số hồ sơ đã tiếp nhận phải giải quyết ...:
1.608 (trong đó: Trực tuyến 1.342, trực tiếp 266). Số hồ sơ đã giải quyết 1.604 (... quá hạn
05); số hồ sơ đang giải quyết 43 (trong hạn 43)", then the rates of Decision 766 (§5.3) and the
share of procedures offered online. Counts and rates are formatted as ``rendering`` formats
them; a rate whose denominator is zero is said in words, never computed.

The committee's own records (indicators entered, province targets, Project 06 working groups)
belong to the steering app, which sits above reports: the caller passes them in as
:class:`SteeringFacts`. The steering app sets where :func:`steering_facts` reads them when
Django starts, so reports never imports steering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from motcua.catalog.choices import ProcedureLevel
from motcua.core import rates
from motcua.lib.formatting import format_count, format_date, nfc
from motcua.reports.rendering import rate_percent, rate_text, share_text, small_count
from motcua.reports.selectors import Bucket, Report

if TYPE_CHECKING:
    from motcua.units.models import AdministrativeUnit


@dataclass(frozen=True)
class IndicatorFact:
    """An indicator's value as the committee writes it: ``numerator_text`` ("1.459"), and for
    a rate ``denominator_text`` ("24.007") and ``percent_text`` ("6,08%")."""

    numerator_text: str
    denominator_text: str | None = None
    percent_text: str | None = None


@dataclass(frozen=True)
class WorkingGroupCount:
    """The Project 06 working groups at one level: its ``label``, how many groups, and the
    groups and members as the committee writes them ("01", "13")."""

    label: str
    groups: int
    groups_text: str
    members_text: str


@dataclass(frozen=True)
class SteeringFacts:
    """What the steering committee recorded for a unit by a day, for the briefing to word.
    An indicator without a value is None (its clause is left out); a target is its text
    ("100%"). Empty by default: then the briefing has no paragraph about them."""

    mobile_coverage: IndicatorFact | None = None
    agency_fibre: IndicatorFact | None = None
    eid_accounts: IndicatorFact | None = None
    digital_signature: IndicatorFact | None = None
    fibre_households: IndicatorFact | None = None
    community_support: IndicatorFact | None = None
    digitisation_target: str | None = None
    e_certification_target: str | None = None
    working_groups: tuple[WorkingGroupCount, ...] = ()


SteeringFactsSource = Callable[["AdministrativeUnit", date], SteeringFacts]
_sources: list[SteeringFactsSource] = []


def steering_facts_source_set(source: SteeringFactsSource) -> None:
    """Make ``source`` the reader of :func:`steering_facts` (the steering app's, set in its
    ``AppConfig.ready``)."""
    _sources[:] = [source]


def steering_facts(unit: AdministrativeUnit, on: date) -> SteeringFacts:
    """What the steering committee recorded for ``unit`` as of ``on``, read by the source the
    steering app set; empty when no app set one."""
    if not _sources:
        return SteeringFacts()
    return _sources[0](unit, on)


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


def _target(target: str | None) -> str:
    """' (province target 100%)' when the province set one for the indicator."""
    if target is None:
        return ""
    return " " + _("(province target %(target)s)") % {"target": target}


def _quality(r: Report, facts: SteeringFacts) -> str:
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
            + _target(facts.digitisation_target)
        )
    else:
        clauses.append(_("no dossiers were received to digitise"))
    if r[Bucket.CERTIFICATION]:
        clauses.append(
            _("the electronic certification rate reached %(rate)s")
            % {"rate": rate_percent(r, rates.E_CERTIFIED)}
            + _target(facts.e_certification_target)
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


def _digital(facts: SteeringFacts) -> str:
    """The digital-transformation indicators the committee entered (seed, third paragraph);
    empty when none is recorded."""
    wording = (
        (facts.mobile_coverage, _("%(percent)s of communes and wards covered by 2G/3G/4G")),
        (facts.agency_fibre, _("%(percent)s of agencies and units connected by fibre")),
        (
            facts.eid_accounts,
            _("%(count)s electronic identification accounts activated (levels 1 and 2)"),
        ),
        (
            facts.digital_signature,
            _(
                "people with a digital or public electronic signature: %(n)s/%(d)s people of "
                "working age, %(percent)s"
            ),
        ),
        (
            facts.fibre_households,
            _("households with fibre broadband: %(n)s/%(d)s households, %(percent)s"),
        ),
        (facts.community_support, _("%(count)s people supported by community digital teams")),
    )
    clauses = []
    for fact, text in wording:
        if fact is None:
            continue
        clauses.append(
            text
            % {
                "count": fact.numerator_text,
                "n": fact.numerator_text,
                "d": fact.denominator_text,
                "percent": fact.percent_text,
            }
        )
    if not clauses:
        return ""
    return _("Digital transformation: %(clauses)s.") % {"clauses": "; ".join(clauses)}


def _project06(facts: SteeringFacts) -> str:
    """Project 06 working groups per level (seed: "01 Tổ công tác cấp thành phố (gồm 13
    thành viên)"); empty when there are none."""
    levels = [
        _("%(groups)s working groups at %(level)s (%(members)s members)")
        % {
            "groups": level.groups_text,
            "level": level.label.lower(),
            "members": level.members_text,
        }
        for level in facts.working_groups
        if level.groups
    ]
    if not levels:
        return ""
    return _("Project 06 (population data, electronic identification): %(levels)s.") % {
        "levels": "; ".join(levels)
    }


def briefing(report: Report, facts: SteeringFacts) -> str:
    """The paragraphs of the committee's briefing, separated by a blank line, in the active
    language: dossiers; quality rates with the province's targets; online services and
    payment; the digital-transformation indicators and the Project 06 working groups recorded
    by the end of the period (``facts``, given by the caller: :func:`steering_facts` of the
    report's unit at the period's end), when there are any."""
    paragraphs = [
        _dossiers(report),
        _quality(report, facts),
        _online(report),
        _digital(facts),
        _project06(facts),
    ]
    return nfc("\n\n".join(p for p in paragraphs if p))
