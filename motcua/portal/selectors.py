"""Reads of the citizen portal: where a procedure can be submitted online, and what of a
dossier its applicant sees (status, moments, a timeline without staff names, the result)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet

from motcua.catalog.choices import OnlineLevel
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.choices import Action, Status
from motcua.dossiers.models import Dossier, DossierFile
from motcua.units.choices import AgencyKind
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


def receiving_desks(version: ProcedureVersion, on: date) -> QuerySet[Agency]:
    """Desks that accept ``version`` on ``on``: those of the competent agency's unit, or, for
    a procedure every commune settles, the desks of every unit of the procedure's level."""
    qs = Agency.objects.filter(
        valid_on(on), valid_on(on, "unit__"), kind__in=DESK_KINDS, electronic_code__isnull=False
    ).select_related("unit")
    if version.competent_agency_id is not None:
        qs = qs.filter(unit_id=version.competent_agency.unit_id)  # type: ignore[union-attr]
    else:
        qs = qs.filter(unit__level=version.level)
    return qs.order_by("name")


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
