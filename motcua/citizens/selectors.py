"""Reads of the citizens app: who is signed in (from the session) and their dossiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from motcua.dossiers.models import Dossier

# Session keys: the verified identity of the signed-in citizen, and the sign-ins begun.
IDENTITY = "citizen"
PENDING = "citizens_pending"


@dataclass(frozen=True)
class Identity:
    """The signed-in citizen as the identity provider verified them at sign-in."""

    account_id: int
    subject: str
    id_number: str
    name: str
    birth_date: date | None
    address: str
    level_of_assurance: str
    signed_in_at: datetime
    id_token: str


def _lifetime() -> timedelta:
    # As long as a staff session may last (MOTCUA_SESSION_MAX_HOURS): a public computer.
    return timedelta(hours=settings.MOTCUA_SESSIONS["MAX_HOURS"])


def signed_in_citizen(session: Any, *, now: datetime | None = None) -> Identity | None:
    """The citizen signed in in ``session``, or None (never signed in, signed out, or the
    sign-in older than the session lifetime)."""
    entry = session.get(IDENTITY)
    if not isinstance(entry, dict):
        return None
    try:
        signed_in_at = datetime.fromisoformat(entry["at"])
        birth = entry.get("birth_date") or ""
        identity = Identity(
            account_id=int(entry["account"]),
            subject=str(entry["sub"]),
            id_number=str(entry["id_number"]),
            name=str(entry["name"]),
            birth_date=date.fromisoformat(birth) if birth else None,
            address=str(entry.get("address", "")),
            level_of_assurance=str(entry.get("loa", "")),
            signed_in_at=signed_in_at,
            id_token=str(entry.get("id_token", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if (now or timezone.now()) - identity.signed_in_at >= _lifetime():
        return None
    return identity


def citizen_dossiers(identity: Identity) -> QuerySet[Dossier]:
    """The dossiers whose applicant's personal ID number is the citizen's verified one."""
    return Dossier.objects.filter(applicant_id_number=identity.id_number).select_related(
        "procedure_version", "receiving_agency"
    )


def citizen_owns(identity: Identity | None, dossier: Dossier) -> bool:
    """Whether the signed-in citizen is the dossier's applicant (same verified ID number)."""
    return (
        identity is not None
        and bool(dossier.applicant_id_number)
        and dossier.applicant_id_number == identity.id_number
    )
