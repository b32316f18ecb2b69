"""Reads of the citizen portal: where a procedure can be submitted online, and what of a
dossier its applicant sees (status, moments, a timeline without staff names, the result)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Case, Q, QuerySet, When

from motcua.catalog.choices import OnlineLevel, ProcedureLevel
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.choices import Action, PauseReason, Status
from motcua.dossiers.models import Dossier, DossierComponent, DossierFile, Pause
from motcua.units.choices import AgencyKind, UnitLevel
from motcua.units.models import Agency
from motcua.units.selectors import valid_on

# Desks that receive dossiers (§1.1): a one-stop section, or since 1/7/2025 a commune's
# public administration service centre (§10.2).
DESK_KINDS = (AgencyKind.ONE_STOP, AgencyKind.SERVICE_CENTRE)

# Events whose reason the applicant needs: what to complete or supplement, why refused, why late.
REASON_SHOWN = frozenset(
    {
        Action.REQUEST_COMPLETION,
        Action.REQUEST_SUPPLEMENT,
        Action.REFUSE,
        Action.DENY,
        Action.STOP,
        Action.APOLOGISE,
    }
)


def province_procedures_at_commune_centres() -> bool:
    """Whether commune centres also receive province-level procedures (§1.1: centres receive
    "regardless of the administrative boundary" the procedures of the province and its
    communes). The province's Chairman publishes which procedures; the spec confirms the rule
    but not the list, so a deployment can turn it off
    (``MOTCUA_PROVINCE_PROCEDURES_AT_COMMUNE_CENTRES = False``)."""
    return bool(getattr(settings, "MOTCUA_PROVINCE_PROCEDURES_AT_COMMUNE_CENTRES", True))


def receiving_desks(version: ProcedureVersion, on: date) -> QuerySet[Agency]:
    """Desks that accept ``version`` on ``on``.

    - A procedure every commune settles (no competent agency): the desks of every unit of
      the procedure's level (since 1/7/2025, every commune centre of the province, §10.2).
    - A procedure of a named agency: the desks of that agency's unit; for a province-level
      one, also the commune centres of that province when
      :func:`province_procedures_at_commune_centres` (§1.1).
    """
    qs = Agency.objects.filter(
        valid_on(on), valid_on(on, "unit__"), kind__in=DESK_KINDS, electronic_code__isnull=False
    ).select_related("unit")
    agency = version.competent_agency
    if agency is None:
        return qs.filter(unit__level=version.level).order_by("name")
    scope = Q(unit_id=agency.unit_id)
    if version.level == ProcedureLevel.PROVINCE and province_procedures_at_commune_centres():
        scope |= Q(
            unit__parent_id=agency.unit_id,
            unit__level=UnitLevel.COMMUNE,
            kind=AgencyKind.SERVICE_CENTRE,
        )
    # The unit's own desk first (the provincial centre), then the commune centres by name.
    return qs.filter(scope).order_by(Case(When(unit_id=agency.unit_id, then=0), default=1), "name")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    status: str
    reason: str


def dossier_timeline(dossier: Dossier) -> list[TimelineEntry]:
    """The dossier's events for its applicant: when, what, the state after, and the reason
    where it concerns them. Staff names are left out (docs/portal.md)."""
    return [
        TimelineEntry(
            at=event.at,
            action=str(Action(event.action).label),
            status=str(Status(event.to_status).label),
            reason=event.reason if event.action in REASON_SHOWN else "",
        )
        for event in dossier.events.order_by("seq")
    ]


def result_files(dossier: Dossier) -> QuerySet[DossierFile]:
    """The electronic result, downloadable when the procedure is full online (Decree 42/2022
    Art. 11.1.a) and the dossier is resolved; none otherwise."""
    if dossier.procedure_version.online_level != OnlineLevel.FULL or dossier.status not in (
        Status.RESOLVED,
        Status.RETURNED,
    ):
        return DossierFile.objects.none()
    return dossier.files.filter(kind=DossierFile.Kind.RESULT).order_by("uploaded_at", "id")


def supplement_asked(dossier: Dossier) -> Pause | None:
    """The open supplement pause of a dossier awaiting one (its note is what the officer
    asked for); None when no supplement is awaited."""
    if dossier.status != Status.AWAITING_SUPPLEMENT:
        return None
    return (
        Pause.objects.filter(dossier=dossier, reason=PauseReason.SUPPLEMENT, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )


def supplement_components(dossier: Dossier) -> QuerySet[DossierComponent]:
    """The dossier's components, each of which a supplement's file may complete."""
    return dossier.components.order_by("id")


def rating_open(dossier: Dossier) -> bool:
    """Whether the tracking page offers the one-time rating: the result is out (resolved or
    returned) and the dossier was not rated yet."""
    # Asked whatever the status: the tracking page reads as many queries at every stage
    # (tests/test_query_counts.py).
    rated = dossier.events.filter(action=Action.RATE).exists()
    return dossier.status in (Status.RESOLVED, Status.RETURNED) and not rated
