"""The second pass of an import: the checked records compared with what is stored, then
written with bulk inserts, their events linked into their dossiers' hash chains.

An import is all or nothing (ARCHITECTURE invariant 7): nothing is written while any line is
refused. Dossiers are matched by code: a line equal to the stored dossier changes nothing, a
line that differs refuses the file (history is immutable).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.clock.selectors import calendar_for
from motcua.core import timeliness
from motcua.core.clock import WorkingCalendar
from motcua.dossiers.choices import Action, PauseReason
from motcua.dossiers.events import TIP_FIELDS, append_event
from motcua.dossiers.figures import contributions_total, ledger_add
from motcua.dossiers.history.checking import Resolved, check_file
from motcua.dossiers.history.exporter import dossier_record, dossiers_with_history
from motcua.dossiers.history.parser import parse_record
from motcua.dossiers.history.schema import (
    IMPORT_MARKER,
    HistoryImportError,
    ImportReport,
    LineError,
)
from motcua.dossiers.models import (
    Dossier,
    DossierCodeCounter,
    DossierComponent,
    DossierDeclaration,
    DossierEvent,
    Extension,
    Pause,
    dossier_search_text,
)
from motcua.dossiers.selectors import timeliness_of
from motcua.feedback.models import Rating
from motcua.payments.models import Payment, PaymentEvent


def import_history(source: str | Path | Iterable[str], *, label: str = "") -> ImportReport:
    """Import dossiers with their history from JSON Lines, all or nothing.

    ``source`` is a path or an iterable of lines. Every line is checked first; any problem
    raises :class:`HistoryImportError` listing every bad line, and nothing is written.
    A dossier whose code is already stored with the same content is left alone (the import is
    idempotent); one stored with different content refuses the file (history is immutable).
    ``label`` names the source in each imported event's ``import`` marker.
    """
    if not label and isinstance(source, str | Path):
        label = Path(source).name
    lines, items, errors = check_file(source)
    report = ImportReport(lines=lines)
    with transaction.atomic():
        # No global lock: each event chains in its own dossier only, so live writers never
        # wait for an import. Two imports racing on one code cannot both store it: the
        # second one's insert breaks the code's unique key and its whole file rolls back.
        fresh = _not_stored(items, errors, report)
        if errors:
            errors.sort(key=lambda e: e.line)
            raise HistoryImportError(errors)
        _write(fresh, label, report)
    return report


def _not_stored(
    items: list[Resolved], errors: list[LineError], report: ImportReport
) -> list[Resolved]:
    """The records whose code is not stored yet. One already stored is reported unchanged
    when equal, or is its line's error when it differs."""
    stored = _stored_records([item.rec["code"] for item in items])
    fresh: list[Resolved] = []
    for item in items:
        current = stored.get(item.rec["code"])
        if current is None:
            inactive = _inactive_assignee(item)
            if inactive is not None:
                errors.append(inactive)
            else:
                fresh.append(item)
            continue
        # Compare in the parsed form, so offsets and spelling of times do not matter.
        given = item.rec
        differing = _differences(given, parse_record(current))
        if differing:
            errors.append(
                LineError(
                    item.line,
                    "code",
                    _("dossier %(code)s is already stored with different content (%(fields)s)")
                    % {"code": given["code"], "fields": ", ".join(differing)},
                )
            )
        else:
            report.unchanged.append(given["code"])
    return fresh


def _inactive_assignee(item: Resolved) -> LineError | None:
    """A dossier to create may not be assigned to an inactive account: it would wait in a queue
    no one opens. Asked only here, so a file stored before an officer left still imports as
    unchanged (idempotency)."""
    assignee = item.assignee
    if assignee is None or assignee.is_active:
        return None
    return LineError(
        item.line,
        "assignee",
        _("the account %(username)s is inactive: assign the dossier to an active officer")
        % {"username": assignee.username},
    )


def _stored_records(codes: list[str]) -> dict[str, dict[str, Any]]:
    """The stored dossiers of these codes as records, by code."""
    stored: dict[str, dict[str, Any]] = {}
    for start in range(0, len(codes), 500):
        for dossier in dossiers_with_history().filter(code__in=codes[start : start + 500]):
            stored[dossier.code] = dossier_record(dossier)
    return stored


def _differences(given: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    names = []
    for key, value in given.items():
        if key == "events" and not value:
            continue  # no events in the file: the import made one; nothing to compare
        if stored.get(key) != value:
            names.append(key)
    return names


def _write(items: list[Resolved], label: str, report: ImportReport) -> None:
    """Bulk inserts of the checked dossiers, their facts, events and ledger rows."""
    dossiers = _insert_dossiers(items)
    _insert_facts(dossiers, items)
    report.created += [d.code for d in dossiers]
    report.events = _insert_events(dossiers, items, label)
    # The figures' ledger, in the same transaction: an imported dossier counts at once.
    ledger_add(contributions_total([d.pk for d in dossiers]))


def _insert_dossiers(items: list[Resolved]) -> list[Dossier]:
    calendars: dict[int, WorkingCalendar] = {}
    dossiers = [_new_dossier(item, _derive(item, calendars)) for item in items]
    for dossier in dossiers:
        dossier.search_text = dossier_search_text(dossier)  # the back-office search
    Dossier.objects.bulk_create(dossiers, batch_size=500)
    _code_counters(dossiers)
    return dossiers


def _new_dossier(item: Resolved, derived: dict[str, Any]) -> Dossier:
    """The dossier row of a record, as the file gives it and with what was derived."""
    rec, who = item.rec, item.rec["applicant"]
    open_pause = rec["pauses"][-1] if rec["pauses"] and rec["pauses"][-1]["end"] is None else None
    holder = item.current if "current_agency" in rec else item.competent
    return Dossier(
        code=rec["code"],
        procedure_version=item.version,
        receiving_agency=item.receiving,
        competent_agency=item.competent,
        current_agency=holder,
        receiving_unit_id=item.receiving.unit_id,
        handling_unit_id=(holder or item.receiving).unit_id,
        applicant_unit=item.unit,
        applicant_kind=who["kind"],
        applicant_name=who["name"],
        applicant_id_number=who["id_number"],
        applicant_birth_date=who["birth_date"],
        applicant_phone=who["phone"],
        applicant_email=who["email"],
        applicant_address=who["address"],
        channel=rec["channel"],
        sets_count=rec["sets"],
        summary=rec["summary"],
        status=rec["status"],
        submitted_at=rec["submitted_at"],
        received_at=rec["received_at"],
        due_at=rec["due_at"],
        effective_due_at=derived["effective_due_at"],
        reappointed_due_at=rec["reappointed_due_at"],
        paused_since=open_pause["start"] if open_pause else None,
        supplement_requests=derived["supplement_requests"],
        current_step=rec["current_step"],
        assignee=item.assignee,
        resolved_at=rec["resolved_at"],
        outcome=rec["outcome"],
        denial_reason=rec["denial_reason"],
        timeliness=derived["timeliness"],
        result_form=rec["result_form"],
        result_digitised=rec["result_digitised"],
        electronic_certification=rec["electronic_certification"],
        returned_at=rec["returned_at"],
        return_method=rec["return_method"],
        ended_at=rec["ended_at"],
        imported=True,
    )


def _derive(item: Resolved, calendars: dict[int, WorkingCalendar]) -> dict[str, Any]:
    """The fields the file left out, derived once from its facts (documented in docs/)."""
    rec = item.rec
    out: dict[str, Any] = {}
    out["supplement_requests"] = rec.get(
        "supplement_requests",
        sum(1 for p in rec["pauses"] if p["reason"] == PauseReason.SUPPLEMENT),
    )
    calendar = calendars.get(item.receiving.pk)
    if calendar is None:  # a few queries each: once per agency, not once per dossier
        calendar = calendars[item.receiving.pk] = calendar_for(agency=item.receiving)
    effective = rec.get("effective_due_at")
    if effective is None and rec["due_at"] is not None:
        closed = [timeliness.Pause(p["start"], p["end"]) for p in rec["pauses"] if p["end"]]
        until = max((p.end for p in closed if p.end), default=rec["due_at"])
        effective = timeliness.effective_due(calendar, rec["due_at"], closed, until)
    out["effective_due_at"] = effective
    kind = rec.get("timeliness")
    if kind is None and rec["resolved_at"] is not None:
        kind = timeliness_of(
            calendar,
            finished_at=rec["resolved_at"],
            due_at=effective or rec["resolved_at"],
            supplement_requests=out["supplement_requests"],
        ).value
    out["timeliness"] = kind or ""
    return out


def _code_counters(dossiers: list[Dossier]) -> None:
    """Advance the daily code counters past imported codes of our shape, so live receipts
    on those days do not reuse a number (§3)."""
    wanted: dict[tuple[int, date], int] = {}
    for d in dossiers:
        prefix = d.receiving_agency.electronic_code
        if not prefix or not d.code.startswith(prefix + "-"):
            continue
        parts = d.code[len(prefix) + 1 :].split("-")
        if len(parts) != 2 or not (parts[0].isdigit() and parts[1].isdigit()):
            continue
        try:
            day = date(2000 + int(parts[0][:2]), int(parts[0][2:4]), int(parts[0][4:]))
        except ValueError:
            continue
        key = (d.receiving_agency_id, day)
        wanted[key] = max(wanted.get(key, 0), int(parts[1]))
    if not wanted:
        return
    agencies = {a for a, _ in wanted}
    days = {d for _, d in wanted}
    existing = {
        (c.agency_id, c.day): c
        for c in DossierCodeCounter.objects.filter(agency_id__in=agencies, day__in=days)
    }
    new, changed = [], []
    for (agency_id, day), last in wanted.items():
        counter = existing.get((agency_id, day))
        if counter is None:
            new.append(DossierCodeCounter(agency_id=agency_id, day=day, last=last))
        elif counter.last < last:
            counter.last = last
            changed.append(counter)
    DossierCodeCounter.objects.bulk_create(new, batch_size=500)
    DossierCodeCounter.objects.bulk_update(changed, ["last"], batch_size=500)


def _insert_facts(dossiers: list[Dossier], items: list[Resolved]) -> None:
    """Components, pauses, extensions, payments with their events, and ratings."""
    components, pauses, extensions, payments, ratings = [], [], [], [], []
    declarations: list[DossierDeclaration] = []
    payment_events: list[tuple[Payment, dict[str, Any]]] = []
    for dossier, item in zip(dossiers, items, strict=True):
        rec = item.rec
        components += [DossierComponent(dossier=dossier, **c) for c in rec["components"]]
        pauses += [_pause(dossier, p) for p in rec["pauses"]]
        extensions += [_extension(dossier, e) for e in rec["extensions"]]
        for p in rec["payments"]:
            payment = Payment(
                dossier=dossier,
                amount=p["amount"],
                description=p["description"],
                created_at=p["created_at"],
            )
            payments.append(payment)
            payment_events += [(payment, e) for e in p["events"]]
        if rec["rating"]:
            ratings.append(Rating(dossier=dossier, **rec["rating"]))
        if item.form is not None:
            declaration = rec["declaration"]
            declarations.append(
                DossierDeclaration(
                    dossier=dossier,
                    form=item.form,
                    form_code=item.form.code,
                    form_version=item.form.number,
                    answers=declaration["answers"],
                    filled_by=declaration["filled_by"],
                    at=declaration["at"],
                )
            )
    DossierComponent.objects.bulk_create(components, batch_size=1000)
    Pause.objects.bulk_create(pauses, batch_size=1000)
    Extension.objects.bulk_create(extensions, batch_size=1000)
    Payment.objects.bulk_create(payments, batch_size=1000)
    PaymentEvent.objects.bulk_create(
        [PaymentEvent(payment=payment, **e) for payment, e in payment_events], batch_size=1000
    )
    Rating.objects.bulk_create(ratings, batch_size=1000)
    DossierDeclaration.objects.bulk_create(declarations, batch_size=1000)


def _pause(dossier: Dossier, p: dict[str, Any]) -> Pause:
    return Pause(
        dossier=dossier,
        reason=p["reason"],
        started_at=p["start"],
        ended_at=p["end"],
        note=p["note"],
    )


def _extension(dossier: Dossier, e: dict[str, Any]) -> Extension:
    return Extension(
        dossier=dossier,
        old_due_at=e["old_due_at"],
        new_due_at=e["new_due_at"],
        reason=e["reason"],
        signed_by=e["signed_by"],
        created_at=e["at"],
    )


def _insert_events(dossiers: list[Dossier], items: list[Resolved], label: str) -> int:
    """The events, as fresh links of each dossier's chain, in file order; the dossiers' chain
    tips saved. Returns how many."""
    recorded = timezone.now()
    events: list[DossierEvent] = []
    for dossier, item in zip(dossiers, items, strict=True):
        for ev in item.rec["events"] or [_import_event(item.rec)]:
            event = append_event(
                dossier,
                at=ev["at"],
                recorded_at=recorded,
                actor=None,
                actor_name=ev["actor"],
                action=ev["action"],
                from_status=ev["from"],
                to_status=ev["to"],
                reason=ev["reason"],
                data={**ev["data"], IMPORT_MARKER: {"source": label, "seq": ev["seq"]}},
            )
            events.append(event)
    DossierEvent.objects.bulk_create(events, batch_size=1000)
    Dossier.objects.bulk_update(dossiers, list(TIP_FIELDS), batch_size=500)
    return len(events)


def _import_event(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The one event of a dossier whose file gave no history: its facts, as imported."""
    at = max(
        m
        for m in (
            rec["submitted_at"],
            rec["received_at"],
            rec["resolved_at"],
            rec["returned_at"],
            rec["ended_at"],
        )
        if m is not None
    )
    return {
        "seq": 1,
        "at": at,
        "actor": _("Imported history"),
        "action": Action.IMPORT.value,
        "from": "",
        "to": rec["status"],
        "reason": "",
        "data": {},
    }
