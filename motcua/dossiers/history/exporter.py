"""Stored dossiers as history records, and the export of a JSON Lines history file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.history.schema import HEADER, IMPORT_MARKER
from motcua.dossiers.models import Dossier, DossierDeclaration
from motcua.feedback.models import Rating
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import units_below


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).isoformat()
    return value.isoformat()


def dossier_record(dossier: Dossier) -> dict[str, Any]:
    """A stored dossier in the file's terms (JSON-ready). Relations should be prefetched."""
    version = dossier.procedure_version
    return {
        "code": dossier.code,
        "procedure": version.procedure.code,
        "procedure_version": version.version,
        "receiving_agency": dossier.receiving_agency.code,
        "competent_agency": dossier.competent_agency.code if dossier.competent_agency else None,
        "current_agency": dossier.current_agency.code if dossier.current_agency else None,
        "applicant": _applicant_record(dossier),
        "channel": dossier.channel,
        "sets": dossier.sets_count,
        "summary": dossier.summary,
        "components": _components_record(dossier),
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "effective_due_at": _iso(dossier.effective_due_at),
        "reappointed_due_at": _iso(dossier.reappointed_due_at),
        "supplement_requests": dossier.supplement_requests,
        "pauses": _pauses_record(dossier),
        "extensions": _extensions_record(dossier),
        "status": dossier.status,
        "current_step": dossier.current_step,
        "assignee": dossier.assignee.username if dossier.assignee else None,
        "resolved_at": _iso(dossier.resolved_at),
        "outcome": dossier.outcome or None,
        "denial_reason": dossier.denial_reason,
        "timeliness": dossier.timeliness or None,
        "result_form": dossier.result_form or None,
        "result_digitised": dossier.result_digitised,
        "electronic_certification": dossier.electronic_certification,
        "returned_at": _iso(dossier.returned_at),
        "return_method": dossier.return_method or None,
        "ended_at": _iso(dossier.ended_at),
        "payments": _payments_record(dossier),
        "rating": _rating_record(dossier),
        "declaration": _declaration_record(dossier),
        "events": _events_record(dossier),
    }


def _applicant_record(dossier: Dossier) -> dict[str, Any]:
    return {
        "kind": dossier.applicant_kind,
        "name": dossier.applicant_name,
        "id_number": dossier.applicant_id_number,
        "birth_date": _iso(dossier.applicant_birth_date),
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "address": dossier.applicant_address,
        "unit": dossier.applicant_unit.code if dossier.applicant_unit else None,
    }


def _components_record(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "originals": c.originals,
            "certified_copies": c.certified_copies,
            "photocopies": c.photocopies,
            "digitised": c.digitised,
        }
        for c in dossier.components.all()
    ]


def _pauses_record(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {"reason": p.reason, "start": _iso(p.started_at), "end": _iso(p.ended_at), "note": p.note}
        for p in dossier.pauses.all()
    ]


def _extensions_record(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "old_due_at": _iso(e.old_due_at),
            "new_due_at": _iso(e.new_due_at),
            "reason": e.reason,
            "signed_by": e.signed_by,
            "at": _iso(e.created_at),
        }
        for e in dossier.extensions.all()
    ]


def _payments_record(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {
            "amount": p.amount,
            "description": p.description,
            "created_at": _iso(p.created_at),
            "events": [
                {
                    "kind": e.kind,
                    "amount": e.amount,
                    "method": e.method,
                    "reference": e.reference,
                    "at": _iso(e.at),
                }
                for e in p.events.all()
            ],
        }
        for p in dossier.payments.all()
    ]


def _rating_record(dossier: Dossier) -> dict[str, Any] | None:
    try:
        rating = dossier.rating
    except Rating.DoesNotExist:
        return None
    return {"level": rating.level, "comment": rating.comment, "at": _iso(rating.at)}


def _declaration_record(dossier: Dossier) -> dict[str, Any] | None:
    try:
        declaration = dossier.declaration
    except DossierDeclaration.DoesNotExist:
        return None
    return {
        "form": declaration.form_code,
        "version": declaration.form_version,
        "filled_by": declaration.filled_by,
        "at": _iso(declaration.at),
        "answers": declaration.answers,
    }


def _events_record(dossier: Dossier) -> list[dict[str, Any]]:
    """The history as the file had it: the import marker an imported event carries is left out."""
    return [
        {
            "seq": e.seq,
            "at": _iso(e.at),
            "actor": e.actor_name,
            "action": e.action,
            "from": e.from_status,
            "to": e.to_status,
            "reason": e.reason,
            "data": {k: v for k, v in e.data.items() if k != IMPORT_MARKER},
        }
        for e in dossier.events.all()
    ]


def dossiers_with_history() -> Any:
    """Dossiers with every relation a record reads, oldest submission first."""
    return (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "receiving_agency",
            "competent_agency",
            "current_agency",
            "assignee",
            "applicant_unit",
            "rating",
            "declaration",
        )
        .prefetch_related("components", "pauses", "extensions", "payments__events", "events")
        .order_by("submitted_at", "code")
    )


def export_history(
    out: IO[str] | str | Path,
    *,
    codes: Iterable[str] | None = None,
    unit: AdministrativeUnit | None = None,
) -> int:
    """Write dossiers with their whole history as JSON Lines; return how many.

    ``codes`` limits to those dossier codes; ``unit`` to dossiers received by an agency of that
    unit or of a unit below it. Oldest submission first, so the file reads as a history.
    """
    if isinstance(out, str | Path):
        with open(out, "w", encoding="utf-8", newline="\n") as stream:
            return export_history(stream, codes=codes, unit=unit)
    qs = dossiers_with_history()
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    if unit is not None:
        qs = qs.filter(receiving_agency__unit__in=units_below(unit))
    out.write(json.dumps(HEADER) + "\n")
    count = 0
    for dossier in qs.iterator(chunk_size=500):
        out.write(json.dumps(dossier_record(dossier), ensure_ascii=False) + "\n")
        count += 1
    return count
