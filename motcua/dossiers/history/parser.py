"""One dossier line of a history file, checked and normalised, section by section.

Pure: no database. Each section reads its part of the decoded line and raises
:class:`~motcua.dossiers.history.schema.FieldRefused` at its first problem, naming the field;
the sections run in the order of the record, so the problem reported is the first one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from motcua.core.clock import LOCAL_TZ
from motcua.dossiers import choices
from motcua.dossiers.history import fields as f
from motcua.dossiers.history.schema import (
    APPLICANT_FIELDS,
    BEFORE_RECEIPT,
    BIG_MAX,
    COMPONENT_FIELDS,
    DECLARATION_FIELDS,
    ENDED_STATUSES,
    EVENT_FIELDS,
    EXTENSION_FIELDS,
    IMPORT_MARKER,
    INT_MAX,
    PAUSE_FIELDS,
    PAUSED_STATUSES,
    PAYMENT_EVENT_FIELDS,
    PAYMENT_FIELDS,
    RATING_FIELDS,
    RECEIVED_STATUSES,
    RECORD_FIELDS,
    RESOLVED_STATUSES,
    UNASSIGNED_STATUSES,
    USERNAME_LENGTH,
    FieldRefused,
)
from motcua.feedback.choices import RatingLevel
from motcua.payments.choices import PaymentEventKind, PaymentMethod


def parse_record(raw: Any) -> dict[str, Any]:
    """Check one dossier object and normalise it (aware UTC datetimes, NFC text, defaults).

    Pure: no database. Raises ``FieldRefused`` at the first problem, naming the field.
    """
    obj = f.mapping(raw, "", RECORD_FIELDS)
    rec = _identity(obj)
    rec["applicant"] = _applicant(obj.get("applicant"))
    rec["channel"] = f.choice(obj.get("channel"), choices.Channel, "channel")
    rec["sets"] = f.integer(obj.get("sets"), "sets", minimum=1, default=1)
    rec["summary"] = f.text(obj.get("summary"), "summary")
    rec["components"] = _components(obj.get("components"))
    rec |= _progress(obj)
    rec |= _result(obj)
    _check_times(rec)
    _check_status(rec)
    rec["pauses"] = _pauses(obj.get("pauses"), rec)
    rec["extensions"] = _extensions(obj.get("extensions"))
    rec["payments"] = _payments(obj.get("payments"))
    rec["rating"] = _rating(obj.get("rating"), rec)
    rec["declaration"] = _declaration(obj.get("declaration"))
    rec["events"] = _events(obj.get("events"), rec["status"])
    return rec


def happened(rec: dict[str, Any]) -> Iterator[tuple[str, datetime]]:
    """Every moment of a parsed record at which something was done, with its field, in the
    record's order: not the due dates, nor ``received_at``, the official receipt moment, which
    for a submission after hours is the next opening (§1.5) and may be ahead of the clock."""
    for name in ("submitted_at", "resolved_at", "returned_at", "ended_at"):
        if rec[name] is not None:
            yield name, rec[name]
    for i, pause in enumerate(rec["pauses"], 1):
        yield f"pauses[{i}].start", pause["start"]
        if pause["end"] is not None:
            yield f"pauses[{i}].end", pause["end"]
    for i, extension in enumerate(rec["extensions"], 1):
        yield f"extensions[{i}].at", extension["at"]
    for i, payment in enumerate(rec["payments"], 1):
        yield f"payments[{i}].created_at", payment["created_at"]
        for j, event in enumerate(payment["events"], 1):
            yield f"payments[{i}].events[{j}].at", event["at"]
    for name in ("rating", "declaration"):
        if rec[name] is not None:
            yield f"{name}.at", rec[name]["at"]
    for i, event in enumerate(rec["events"], 1):
        yield f"events[{i}].at", event["at"]


def _identity(obj: dict[str, Any]) -> dict[str, Any]:
    """The dossier's code, its procedure and the agencies that hold it."""
    rec: dict[str, Any] = {}
    rec["code"] = f.text(obj.get("code"), "code", required=True, max_length=40)
    rec["procedure"] = f.text(obj.get("procedure"), "procedure", required=True, max_length=40)
    if "procedure_version" in obj:
        rec["procedure_version"] = f.integer(
            obj["procedure_version"], "procedure_version", minimum=1, maximum=INT_MAX
        )
    rec["receiving_agency"] = f.text(
        obj.get("receiving_agency"), "receiving_agency", required=True, max_length=40
    )
    rec["competent_agency"] = f.text(obj.get("competent_agency"), "competent_agency") or None
    if "current_agency" in obj:
        rec["current_agency"] = f.text(obj["current_agency"], "current_agency") or None
    return rec


def _applicant(raw: Any) -> dict[str, Any]:
    who = f.mapping(raw, "applicant", APPLICANT_FIELDS)
    return {
        "kind": f.choice(who.get("kind", "person"), choices.ApplicantKind, "applicant.kind"),
        "name": f.text(who.get("name"), "applicant.name", required=True, max_length=300),
        "id_number": f.text(who.get("id_number"), "applicant.id_number", max_length=12),
        "birth_date": f.day(who.get("birth_date"), "applicant.birth_date"),
        "phone": f.text(who.get("phone"), "applicant.phone", max_length=20),
        "email": f.text(who.get("email"), "applicant.email", max_length=254),
        "address": f.text(who.get("address"), "applicant.address"),
        "unit": f.text(who.get("unit"), "applicant.unit", max_length=20) or None,
    }


def _components(raw: Any) -> list[dict[str, Any]]:
    components = []
    for i, item in enumerate(f.sequence(raw, "components"), 1):
        place = f"components[{i}]"
        comp = f.mapping(item, place, COMPONENT_FIELDS)
        components.append(
            {
                "name": f.text(comp.get("name"), f"{place}.name", required=True),
                "originals": f.integer(comp.get("originals"), f"{place}.originals", default=0),
                "certified_copies": f.integer(
                    comp.get("certified_copies"), f"{place}.certified_copies", default=0
                ),
                "photocopies": f.integer(
                    comp.get("photocopies"), f"{place}.photocopies", default=0
                ),
                "digitised": f.boolean(comp.get("digitised"), f"{place}.digitised"),
            }
        )
    return components


def _progress(obj: dict[str, Any]) -> dict[str, Any]:
    """The status and the moments up to the decision: submission, receipt, due dates."""
    rec: dict[str, Any] = {}
    rec["status"] = f.choice(obj.get("status"), choices.Status, "status")
    rec["submitted_at"] = f.moment(obj.get("submitted_at"), "submitted_at", required=True)
    rec["received_at"] = f.moment(obj.get("received_at"), "received_at")
    rec["due_at"] = f.moment(obj.get("due_at"), "due_at")
    if "effective_due_at" in obj:
        rec["effective_due_at"] = f.moment(obj["effective_due_at"], "effective_due_at")
    rec["reappointed_due_at"] = f.moment(obj.get("reappointed_due_at"), "reappointed_due_at")
    if "supplement_requests" in obj:
        rec["supplement_requests"] = f.integer(obj["supplement_requests"], "supplement_requests")
    rec["current_step"] = f.text(obj.get("current_step"), "current_step", max_length=200)
    # Only when given, as ``current_agency``: a file written before the field existed says
    # nothing about who handles the dossier, and is not compared on it.
    if "assignee" in obj:
        rec["assignee"] = f.text(obj["assignee"], "assignee", max_length=USERNAME_LENGTH) or None
    return rec


def _result(obj: dict[str, Any]) -> dict[str, Any]:
    """The decision, its result, its return and the end of the dossier."""
    rec: dict[str, Any] = {}
    rec["resolved_at"] = f.moment(obj.get("resolved_at"), "resolved_at")
    rec["outcome"] = f.optional_choice(obj, "outcome", choices.Outcome)
    rec["denial_reason"] = f.text(obj.get("denial_reason"), "denial_reason", max_length=5000)
    if obj.get("timeliness") is not None:
        rec["timeliness"] = f.choice(obj["timeliness"], choices.Timeliness, "timeliness")
    rec["result_form"] = f.optional_choice(obj, "result_form", choices.ResultForm)
    rec["result_digitised"] = f.boolean(obj.get("result_digitised"), "result_digitised")
    rec["electronic_certification"] = f.boolean(
        obj.get("electronic_certification"), "electronic_certification"
    )
    rec["returned_at"] = f.moment(obj.get("returned_at"), "returned_at")
    rec["return_method"] = f.optional_choice(obj, "return_method", choices.ReturnMethod)
    rec["ended_at"] = f.moment(obj.get("ended_at"), "ended_at")
    return rec


def _check_times(rec: dict[str, Any]) -> None:
    """Impossible times: "returned before received" and its kin."""
    submitted, received, due = rec["submitted_at"], rec["received_at"], rec["due_at"]
    f.not_before(received, submitted, "received_at", "submitted_at")
    f.not_before(due, received, "due_at", "received_at")
    # Not before the submission, but possibly before the official receipt moment (§1.5,
    # ARCHITECTURE invariant 9): the figures count such a resolution at the receipt moment.
    f.not_before(rec["resolved_at"], submitted, "resolved_at", "submitted_at")
    f.not_before(rec["returned_at"], rec["resolved_at"], "returned_at", "resolved_at")
    f.not_before(rec["ended_at"], submitted, "ended_at", "submitted_at")
    if rec.get("effective_due_at") is not None:
        f.not_before(rec["effective_due_at"], due, "effective_due_at", "due_at")


def _need(rec: dict[str, Any], name: str, present: bool) -> None:
    """Refuse a field the dossier's status requires and lacks, or forbids and has."""
    has = rec.get(name) not in (None, "")
    if present and not has:
        message = _("a dossier that is “%(status)s” must have this field")
    elif not present and has:
        message = _("a dossier that is “%(status)s” cannot have this field")
    else:
        return
    raise FieldRefused(name, message % {"status": choices.Status(rec["status"]).label})


def _check_status(rec: dict[str, Any]) -> None:
    """The status and the facts must tell the same story."""
    status = rec["status"]
    if status in RECEIVED_STATUSES:
        _need(rec, "received_at", True)
    if status in BEFORE_RECEIPT:
        _need(rec, "received_at", False)
    if rec["received_at"] is not None:
        _need(rec, "due_at", True)
    for name in ("resolved_at", "outcome"):
        _need(rec, name, status in RESOLVED_STATUSES)
    for name in ("returned_at", "return_method"):
        _need(rec, name, status == choices.Status.RETURNED)
    _need(rec, "ended_at", status in ENDED_STATUSES)
    if status in UNASSIGNED_STATUSES:
        _need(rec, "assignee", False)
    if rec["outcome"] == choices.Outcome.DENIED and not rec["denial_reason"]:
        raise FieldRefused("denial_reason", _("a denial needs a reason"))
    if rec.get("timeliness") and status not in RESOLVED_STATUSES:
        raise FieldRefused("timeliness", _("only a resolved dossier has a timeliness"))


def _pauses(raw: Any, rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The pauses in order; only the last may be open, and only in a paused status."""
    given = f.sequence(raw, "pauses")
    pauses: list[dict[str, Any]] = []
    for i, item in enumerate(given, 1):
        previous = pauses[-1] if pauses else None
        pauses.append(_pause(item, i, last=i == len(given), rec=rec, previous=previous))
    status = rec["status"]
    open_pause = bool(pauses) and pauses[-1]["end"] is None
    if open_pause != (status in PAUSED_STATUSES):
        message = (
            _("a dossier that is “%(status)s” must have an open pause")
            if not open_pause
            else _("a dossier that is “%(status)s” cannot have an open pause")
        )
        raise FieldRefused("pauses", message % {"status": choices.Status(status).label})
    for pause in pauses:
        f.not_before(rec["resolved_at"], pause["end"], "resolved_at", "pauses.end")
    return pauses


def _pause(
    item: Any, i: int, *, last: bool, rec: dict[str, Any], previous: dict[str, Any] | None
) -> dict[str, Any]:
    place = f"pauses[{i}]"
    pause = f.mapping(item, place, PAUSE_FIELDS)
    start = f.moment(pause.get("start"), f"{place}.start", required=True)
    end = f.moment(pause.get("end"), f"{place}.end")
    f.not_before(end, start, f"{place}.end", f"{place}.start")
    f.not_before(start, rec["submitted_at"], f"{place}.start", "submitted_at")
    if previous is not None:
        f.not_before(start, previous["end"], f"{place}.start", f"pauses[{i - 1}].end")
    if end is None and not last:
        raise FieldRefused(f"{place}.end", _("only the last pause may be open"))
    return {
        "reason": f.choice(pause.get("reason"), choices.PauseReason, f"{place}.reason"),
        "start": start,
        "end": end,
        "note": f.text(pause.get("note"), f"{place}.note", max_length=5000),
    }


def _extensions(raw: Any) -> list[dict[str, Any]]:
    extensions = []
    for i, item in enumerate(f.sequence(raw, "extensions"), 1):
        place = f"extensions[{i}]"
        ext = f.mapping(item, place, EXTENSION_FIELDS)
        old = f.required_moment(ext.get("old_due_at"), f"{place}.old_due_at")
        new = f.required_moment(ext.get("new_due_at"), f"{place}.new_due_at")
        if new <= old:
            raise FieldRefused(
                f"{place}.new_due_at", _("the new date must be later than the old one")
            )
        extensions.append(
            {
                "old_due_at": old,
                "new_due_at": new,
                "reason": f.text(ext.get("reason"), f"{place}.reason", required=True),
                "signed_by": f.text(
                    ext.get("signed_by"), f"{place}.signed_by", required=True, max_length=200
                ),
                "at": f.moment(ext.get("at"), f"{place}.at", required=True),
            }
        )
    return extensions


def _payments(raw: Any) -> list[dict[str, Any]]:
    payments = []
    for i, item in enumerate(f.sequence(raw, "payments"), 1):
        place = f"payments[{i}]"
        pay = f.mapping(item, place, PAYMENT_FIELDS)
        events = [
            _payment_event(ev, f"{place}.events[{j}]")
            for j, ev in enumerate(f.sequence(pay.get("events"), f"{place}.events"), 1)
        ]
        payments.append(
            {
                "amount": f.integer(
                    pay.get("amount"), f"{place}.amount", minimum=1, maximum=BIG_MAX
                ),
                "description": f.text(
                    pay.get("description"), f"{place}.description", max_length=300
                ),
                "created_at": f.moment(pay.get("created_at"), f"{place}.created_at", required=True),
                "events": events,
            }
        )
    return payments


def _payment_event(raw: Any, where: str) -> dict[str, Any]:
    ev = f.mapping(raw, where, PAYMENT_EVENT_FIELDS)
    return {
        "kind": f.choice(ev.get("kind", "succeeded"), PaymentEventKind, f"{where}.kind"),
        "amount": f.integer(ev.get("amount"), f"{where}.amount", minimum=1, maximum=BIG_MAX),
        "method": f.choice(ev.get("method"), PaymentMethod, f"{where}.method"),
        "reference": f.text(ev.get("reference"), f"{where}.reference", max_length=100),
        "at": f.moment(ev.get("at"), f"{where}.at", required=True),
    }


def _declaration(raw: Any) -> dict[str, Any] | None:
    """The declaration form's answers: their shape here, the answers against the form's schema
    when the form is looked up (checking.py)."""
    if raw is None:
        return None
    item = f.mapping(raw, "declaration", DECLARATION_FIELDS)
    if not isinstance(item.get("answers"), dict):
        raise FieldRefused("declaration.answers", _("must be an object"))
    return {
        "form": f.text(item.get("form"), "declaration.form", required=True, max_length=40),
        "version": f.integer(item.get("version"), "declaration.version", minimum=1, maximum=9999),
        "filled_by": f.choice(item.get("filled_by"), choices.Channel, "declaration.filled_by"),
        "at": f.moment(item.get("at"), "declaration.at", required=True),
        "answers": item["answers"],
    }


def _rating(raw: Any, rec: dict[str, Any]) -> dict[str, Any] | None:
    if raw is None:
        return None
    rating = f.mapping(raw, "rating", RATING_FIELDS)
    if rec["status"] not in RESOLVED_STATUSES:
        raise FieldRefused("rating", _("only a resolved dossier can be rated"))
    at = f.moment(rating.get("at"), "rating.at", required=True)
    f.not_before(at, rec["resolved_at"], "rating.at", "resolved_at")
    return {
        "level": f.choice(rating.get("level"), RatingLevel, "rating.level"),
        "comment": f.text(rating.get("comment"), "rating.comment", max_length=5000),
        "at": at,
    }


def _events(raw: Any, status: str) -> list[dict[str, Any]]:
    """The history, oldest first: numbered from 1, in time order, each from where the previous
    one ended, the last one ending in the dossier's status."""
    events: list[dict[str, Any]] = []
    for i, item in enumerate(f.sequence(raw, "events"), 1):
        events.append(_event(item, i, events[-1] if events else None))
    if events and events[-1]["to"] != status:
        raise FieldRefused(
            "events",
            _("the last event ends in “%(to)s” but the dossier is “%(status)s”")
            % {"to": events[-1]["to"], "status": status},
        )
    return events


def _event(item: Any, i: int, previous: dict[str, Any] | None) -> dict[str, Any]:
    place = f"events[{i}]"
    ev = f.mapping(item, place, EVENT_FIELDS)
    seq = f.integer(ev.get("seq"), f"{place}.seq", minimum=1, maximum=INT_MAX, default=i)
    if seq != i:
        raise FieldRefused(
            f"{place}.seq",
            _("number %(seq)s, expected %(expected)s (events in order, from 1)")
            % {"seq": seq, "expected": i},
        )
    at = f.required_moment(ev.get("at"), f"{place}.at")
    if previous is not None:
        _event_in_order(at, previous["at"], place)
    from_status = ev.get("from") or ""
    if from_status:
        f.choice(from_status, choices.Status, f"{place}.from")
    if previous is not None and from_status != previous["to"]:
        raise FieldRefused(
            f"{place}.from",
            _("“%(from)s” does not follow the previous event, which ended in “%(to)s”")
            % {"from": from_status, "to": previous["to"]},
        )
    data = ev.get("data") or {}
    if not isinstance(data, dict):
        raise FieldRefused(f"{place}.data", _("must be an object"))
    return {
        "seq": seq,
        "at": at,
        "actor": f.text(ev.get("actor"), f"{place}.actor", required=True, max_length=200),
        "action": f.choice(ev.get("action"), choices.Action, f"{place}.action"),
        "from": from_status,
        "to": f.choice(ev.get("to"), choices.Status, f"{place}.to"),
        "reason": f.text(ev.get("reason"), f"{place}.reason", max_length=5000),
        "data": {k: v for k, v in data.items() if k != IMPORT_MARKER},
    }


def _event_in_order(at: datetime, previous_at: datetime, place: str) -> None:
    if at < previous_at:
        raise FieldRefused(
            f"{place}.at",
            _("%(value)s is before the previous event (%(other_value)s)")
            % {
                "value": at.astimezone(LOCAL_TZ).isoformat(),
                "other_value": previous_at.astimezone(LOCAL_TZ).isoformat(),
            },
        )
