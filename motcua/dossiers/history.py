"""Dossier history in and out as JSON Lines (issue 3 item 6; docs/dossier-history-format.md).

This is how a city migrates from its old system, so what the file records is kept as a fact
(ARCHITECTURE invariant 5): the receipt moment, the due moment printed on the receipt, pauses,
resolution, return, payments and ratings are stored as given, never recomputed. Only what the
file leaves out and the system needs is derived once, at import (``effective_due_at``,
``timeliness``, ``supplement_requests``).

An import is all or nothing (invariant 7): every line is checked before anything is written and
every bad line is reported with its number and the field. Dossiers are matched by code: a line
equal to the stored dossier changes nothing, a line that differs refuses the file.

A hostile file is refused the same way, with its line and field named (issue 16 item 5): a
line is read with a byte cap, its nesting depth is measured before JSON decodes it (the
decoder recurses), an integer is parsed only up to :data:`MAX_INT_DIGITS` digits and must fit
its column, text is capped at its column's length, and NUL or a lone surrogate in any string
(keys too) is refused before the database sees it (PostgreSQL would fail on it, SQLite would
store it). Reading stops after :data:`MAX_ERRORS` problems.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import ProcedureVersion
from motcua.clock.selectors import calendar_for
from motcua.core import chain, timeliness, workflow
from motcua.core.clock import LOCAL_TZ, WorkingCalendar
from motcua.dossiers.choices import (
    Action,
    ApplicantKind,
    Channel,
    Outcome,
    PauseReason,
    ResultForm,
    ReturnMethod,
    Status,
    Timeliness,
)
from motcua.dossiers.figures import contributions_total, ledger_add
from motcua.dossiers.models import (
    ChainHead,
    Dossier,
    DossierCodeCounter,
    DossierComponent,
    DossierEvent,
    Extension,
    Pause,
    dossier_search_text,
)
from motcua.dossiers.selectors import supplement_limit
from motcua.dossiers.events import event_content
from motcua.feedback.choices import RatingLevel
from motcua.feedback.models import Rating
from motcua.lib.formatting import format_number, nfc
from motcua.lib.textcheck import forbidden_character
from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.payments.models import Payment, PaymentEvent
from motcua.units.models import AdministrativeUnit, Agency

FORMAT_NAME = "motcua-dossiers"
FORMAT_VERSION = 1
HEADER = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
# The key under which an imported event keeps what the file said about it.
IMPORT_MARKER = "import"

# Limits of one line (docs/dossier-history-format.md, "Limits"). A dossier with a long history
# (50 events with 5.000-character reasons) is about 300 KB: 1 MiB leaves room and bounds what
# one line can cost. The deepest record is 5 levels (record, payments, payment, events, event)
# plus an event's free-form ``data``; 20 is generous and far below the decoder's recursion.
MAX_LINE_BYTES = 1024 * 1024
MAX_DEPTH = 20
# The largest column is a PositiveBigIntegerField (19 digits); a longer number is refused
# before Python converts it (its own limit, 4.300 digits, raises ValueError).
MAX_INT_DIGITS = 19
# A file with this many problems is not worth reading further: the first ones say what is wrong.
MAX_ERRORS = 100
# Column ranges of the integer fields (Django's PositiveSmallInteger/Integer/BigIntegerField).
SMALL_MAX = 32767
INT_MAX = 2147483647
BIG_MAX = 9223372036854775807
# How much of a refused value a message repeats.
QUOTE_LENGTH = 40

# Statuses in which the statutory clock has started (a receipt exists).
_RECEIVED_STATUSES = {s.value for s in workflow.PENDING} | {
    Status.RESOLVED,
    Status.RETURNED,
    Status.STOPPED,
}
_RESOLVED_STATUSES = {Status.RESOLVED.value, Status.RETURNED.value}
_ENDED_STATUSES = {Status.REFUSED.value, Status.WITHDRAWN.value, Status.STOPPED.value}
_PAUSED_STATUSES = {s.value for s in workflow.PAUSED}
_BEFORE_RECEIPT = {s.value for s in workflow.BEFORE_RECEIPT} | {Status.REFUSED.value}


# -- errors and report -------------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    """One problem of the file: its line (1 = header), the field (dotted path) and why."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return _("line %(line)s, %(field)s: %(message)s") % {
                "line": self.line,
                "field": self.field,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class HistoryImportError(Exception):
    """The file was refused; ``errors`` lists every bad line. Nothing was written."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class ImportReport:
    """What an import did: dossier codes created and already present (unchanged)."""

    lines: int = 0
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    events: int = 0

    @property
    def total(self) -> int:
        """Dossiers in the file."""
        return len(self.created) + len(self.unchanged)


# -- reading one line ------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, place: str, message: str) -> None:
        super().__init__(message)
        self.place = place
        self.message = message


def _quoted(value: Any) -> str:
    """A refused value as a message repeats it: short, so a 1 MB value never makes a 1 MB
    message."""
    text = str(value)
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def _choice(value: Any, choices: Any, place: str) -> str:
    allowed = [str(c) for c in choices.values]
    if not isinstance(value, str) or value not in allowed:
        raise _Bad(
            place,
            _("“%(value)s” is not one of: %(allowed)s")
            % {"value": _quoted(value), "allowed": ", ".join(allowed)},
        )
    return value


def _moment(value: Any, place: str, *, required: bool = False) -> datetime | None:
    if value is None:
        if required:
            raise _Bad(place, _("is required"))
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _Bad(
            place,
            _("“%(value)s” is not a date and time with its offset (ISO 8601, e.g. %(example)s)")
            % {"value": _quoted(value), "example": "2024-01-02T08:15:00+07:00"},
        )
    return moment.astimezone(UTC)


def _day(value: Any, place: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Bad(place, _("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": _quoted(value)})


def _text(value: Any, place: str, *, required: bool = False, max_length: int = 500) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _Bad(place, _("must be text"))
    text: str = nfc(value.strip())
    if required and not text:
        raise _Bad(place, _("is required"))
    if len(text) > max_length:
        raise _Bad(place, _("is longer than %(n)s characters") % {"n": max_length})
    return text


def _int(
    value: Any,
    place: str,
    *,
    minimum: int = 0,
    maximum: int = SMALL_MAX,
    default: int | None = None,
) -> int:
    """A whole number within its column's range (``maximum``: the column's largest value)."""
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(place, _("must be a whole number"))
    if value < minimum:
        raise _Bad(place, _("must be at least %(n)s") % {"n": minimum})
    if value > maximum:
        raise _Bad(place, _("must be at most %(n)s") % {"n": format_number(maximum)})
    return value


def _bool(value: Any, place: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _Bad(place, _("must be true or false"))
    return value


def _object(value: Any, place: str, known: Iterable[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(place, _("must be an object"))
    for key in value:
        if key not in known:
            raise _Bad(f"{place}.{key}" if place else key, _("unknown field"))
    return value


def _list(value: Any, place: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad(place, _("must be a list"))
    return value


def _not_before(later: datetime | None, earlier: datetime | None, place: str, other: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise _Bad(
            place,
            _("%(value)s is before %(other)s (%(other_value)s)")
            % {
                "value": later.astimezone(LOCAL_TZ).isoformat(),
                "other": other,
                "other_value": earlier.astimezone(LOCAL_TZ).isoformat(),
            },
        )


RECORD_FIELDS = (
    "code",
    "procedure",
    "procedure_version",
    "receiving_agency",
    "competent_agency",
    "current_agency",
    "applicant",
    "channel",
    "sets",
    "summary",
    "components",
    "submitted_at",
    "received_at",
    "due_at",
    "effective_due_at",
    "reappointed_due_at",
    "supplement_requests",
    "pauses",
    "extensions",
    "status",
    "current_step",
    "resolved_at",
    "outcome",
    "denial_reason",
    "timeliness",
    "result_form",
    "result_digitised",
    "electronic_certification",
    "returned_at",
    "return_method",
    "ended_at",
    "payments",
    "rating",
    "events",
)
# Derived by the system when the file leaves them out: compared only when the file gives them.
_OPTIONAL_DERIVED = (
    "procedure_version",
    "current_agency",
    "effective_due_at",
    "supplement_requests",
    "timeliness",
)
APPLICANT_FIELDS = ("kind", "name", "id_number", "birth_date", "phone", "email", "address", "unit")
COMPONENT_FIELDS = ("name", "originals", "certified_copies", "photocopies", "digitised")
PAUSE_FIELDS = ("reason", "start", "end", "note")
EXTENSION_FIELDS = ("old_due_at", "new_due_at", "reason", "signed_by", "at")
PAYMENT_FIELDS = ("amount", "description", "created_at", "events")
PAYMENT_EVENT_FIELDS = ("kind", "amount", "method", "reference", "at")
RATING_FIELDS = ("level", "comment", "at")
EVENT_FIELDS = ("seq", "at", "actor", "action", "from", "to", "reason", "data")


def parse_record(raw: Any) -> dict[str, Any]:
    """Check one dossier object and normalise it (aware UTC datetimes, NFC text, defaults).

    Pure: no database. Raises ``_Bad`` at the first problem, naming the field.
    """
    obj = _object(raw, "", RECORD_FIELDS)
    rec: dict[str, Any] = {}
    rec["code"] = _text(obj.get("code"), "code", required=True, max_length=40)
    rec["procedure"] = _text(obj.get("procedure"), "procedure", required=True, max_length=40)
    if "procedure_version" in obj:
        rec["procedure_version"] = _int(
            obj["procedure_version"], "procedure_version", minimum=1, maximum=INT_MAX
        )
    rec["receiving_agency"] = _text(
        obj.get("receiving_agency"), "receiving_agency", required=True, max_length=40
    )
    rec["competent_agency"] = _text(obj.get("competent_agency"), "competent_agency") or None
    if "current_agency" in obj:
        rec["current_agency"] = _text(obj["current_agency"], "current_agency") or None

    who = _object(obj.get("applicant"), "applicant", APPLICANT_FIELDS)
    rec["applicant"] = {
        "kind": _choice(who.get("kind", "person"), ApplicantKind, "applicant.kind"),
        "name": _text(who.get("name"), "applicant.name", required=True, max_length=300),
        "id_number": _text(who.get("id_number"), "applicant.id_number", max_length=12),
        "birth_date": _day(who.get("birth_date"), "applicant.birth_date"),
        "phone": _text(who.get("phone"), "applicant.phone", max_length=20),
        "email": _text(who.get("email"), "applicant.email", max_length=254),
        "address": _text(who.get("address"), "applicant.address"),
        "unit": _text(who.get("unit"), "applicant.unit", max_length=20) or None,
    }
    rec["channel"] = _choice(obj.get("channel"), Channel, "channel")
    rec["sets"] = _int(obj.get("sets"), "sets", minimum=1, default=1)
    rec["summary"] = _text(obj.get("summary"), "summary")
    rec["components"] = []
    for i, item in enumerate(_list(obj.get("components"), "components"), 1):
        place = f"components[{i}]"
        comp = _object(item, place, COMPONENT_FIELDS)
        rec["components"].append(
            {
                "name": _text(comp.get("name"), f"{place}.name", required=True),
                "originals": _int(comp.get("originals"), f"{place}.originals", default=0),
                "certified_copies": _int(
                    comp.get("certified_copies"), f"{place}.certified_copies", default=0
                ),
                "photocopies": _int(comp.get("photocopies"), f"{place}.photocopies", default=0),
                "digitised": _bool(comp.get("digitised"), f"{place}.digitised"),
            }
        )

    status = rec["status"] = _choice(obj.get("status"), Status, "status")
    submitted = rec["submitted_at"] = _moment(
        obj.get("submitted_at"), "submitted_at", required=True
    )
    received = rec["received_at"] = _moment(obj.get("received_at"), "received_at")
    due = rec["due_at"] = _moment(obj.get("due_at"), "due_at")
    if "effective_due_at" in obj:
        rec["effective_due_at"] = _moment(obj["effective_due_at"], "effective_due_at")
    rec["reappointed_due_at"] = _moment(obj.get("reappointed_due_at"), "reappointed_due_at")
    if "supplement_requests" in obj:
        rec["supplement_requests"] = _int(obj["supplement_requests"], "supplement_requests")
    rec["current_step"] = _text(obj.get("current_step"), "current_step", max_length=200)
    resolved = rec["resolved_at"] = _moment(obj.get("resolved_at"), "resolved_at")
    rec["outcome"] = _choice(obj["outcome"], Outcome, "outcome") if obj.get("outcome") else ""
    rec["denial_reason"] = _text(obj.get("denial_reason"), "denial_reason", max_length=5000)
    if obj.get("timeliness") is not None:
        rec["timeliness"] = _choice(obj["timeliness"], Timeliness, "timeliness")
    rec["result_form"] = (
        _choice(obj["result_form"], ResultForm, "result_form") if obj.get("result_form") else ""
    )
    rec["result_digitised"] = _bool(obj.get("result_digitised"), "result_digitised")
    rec["electronic_certification"] = _bool(
        obj.get("electronic_certification"), "electronic_certification"
    )
    returned = rec["returned_at"] = _moment(obj.get("returned_at"), "returned_at")
    rec["return_method"] = (
        _choice(obj["return_method"], ReturnMethod, "return_method")
        if obj.get("return_method")
        else ""
    )
    ended = rec["ended_at"] = _moment(obj.get("ended_at"), "ended_at")

    # Impossible times (§ issue 3: "returned before received" and its kin).
    _not_before(received, submitted, "received_at", "submitted_at")
    _not_before(due, received, "due_at", "received_at")
    # Not before the submission, but possibly before the official receipt moment (§1.5,
    # ARCHITECTURE invariant 9): the figures count such a resolution at the receipt moment.
    _not_before(resolved, submitted, "resolved_at", "submitted_at")
    _not_before(returned, resolved, "returned_at", "resolved_at")
    _not_before(ended, submitted, "ended_at", "submitted_at")
    if rec.get("effective_due_at") is not None:
        _not_before(rec["effective_due_at"], due, "effective_due_at", "due_at")

    # The status and the facts must tell the same story.
    def need(name: str, present: bool) -> None:
        has = rec.get(name) not in (None, "")
        if present and not has:
            raise _Bad(
                name,
                _("a dossier that is “%(status)s” must have this field")
                % {"status": Status(status).label},
            )
        if not present and has:
            raise _Bad(
                name,
                _("a dossier that is “%(status)s” cannot have this field")
                % {"status": Status(status).label},
            )

    if status in _RECEIVED_STATUSES:
        need("received_at", True)
    if status in _BEFORE_RECEIPT:
        need("received_at", False)
    if received is not None:
        need("due_at", True)
    for name in ("resolved_at", "outcome"):
        need(name, status in _RESOLVED_STATUSES)
    for name in ("returned_at", "return_method"):
        need(name, status == Status.RETURNED)
    need("ended_at", status in _ENDED_STATUSES)
    if rec["outcome"] == Outcome.DENIED and not rec["denial_reason"]:
        raise _Bad("denial_reason", _("a denial needs a reason"))
    if rec.get("timeliness") and status not in _RESOLVED_STATUSES:
        raise _Bad("timeliness", _("only a resolved dossier has a timeliness"))

    rec["pauses"] = []
    for i, item in enumerate(_list(obj.get("pauses"), "pauses"), 1):
        place = f"pauses[{i}]"
        pause = _object(item, place, PAUSE_FIELDS)
        start = _moment(pause.get("start"), f"{place}.start", required=True)
        end = _moment(pause.get("end"), f"{place}.end")
        _not_before(end, start, f"{place}.end", f"{place}.start")
        _not_before(start, submitted, f"{place}.start", "submitted_at")
        if rec["pauses"]:
            _not_before(start, rec["pauses"][-1]["end"], f"{place}.start", f"pauses[{i - 1}].end")
        if end is None and i != len(obj["pauses"]):
            raise _Bad(f"{place}.end", _("only the last pause may be open"))
        rec["pauses"].append(
            {
                "reason": _choice(pause.get("reason"), PauseReason, f"{place}.reason"),
                "start": start,
                "end": end,
                "note": _text(pause.get("note"), f"{place}.note", max_length=5000),
            }
        )
    open_pause = bool(rec["pauses"]) and rec["pauses"][-1]["end"] is None
    if open_pause != (status in _PAUSED_STATUSES):
        message = (
            _("a dossier that is “%(status)s” must have an open pause")
            if not open_pause
            else _("a dossier that is “%(status)s” cannot have an open pause")
        )
        raise _Bad("pauses", message % {"status": Status(status).label})
    for pause in rec["pauses"]:
        _not_before(resolved, pause["end"], "resolved_at", "pauses.end")

    rec["extensions"] = []
    for i, item in enumerate(_list(obj.get("extensions"), "extensions"), 1):
        place = f"extensions[{i}]"
        ext = _object(item, place, EXTENSION_FIELDS)
        old = _moment(ext.get("old_due_at"), f"{place}.old_due_at", required=True)
        new = _moment(ext.get("new_due_at"), f"{place}.new_due_at", required=True)
        assert old is not None
        assert new is not None
        if new <= old:
            raise _Bad(f"{place}.new_due_at", _("the new date must be later than the old one"))
        rec["extensions"].append(
            {
                "old_due_at": old,
                "new_due_at": new,
                "reason": _text(ext.get("reason"), f"{place}.reason", required=True),
                "signed_by": _text(
                    ext.get("signed_by"), f"{place}.signed_by", required=True, max_length=200
                ),
                "at": _moment(ext.get("at"), f"{place}.at", required=True),
            }
        )

    rec["payments"] = []
    for i, item in enumerate(_list(obj.get("payments"), "payments"), 1):
        place = f"payments[{i}]"
        pay = _object(item, place, PAYMENT_FIELDS)
        events = []
        for j, ev in enumerate(_list(pay.get("events"), f"{place}.events"), 1):
            where = f"{place}.events[{j}]"
            ev = _object(ev, where, PAYMENT_EVENT_FIELDS)
            events.append(
                {
                    "kind": _choice(ev.get("kind", "succeeded"), PaymentEventKind, f"{where}.kind"),
                    "amount": _int(ev.get("amount"), f"{where}.amount", minimum=1, maximum=BIG_MAX),
                    "method": _choice(ev.get("method"), PaymentMethod, f"{where}.method"),
                    "reference": _text(ev.get("reference"), f"{where}.reference", max_length=100),
                    "at": _moment(ev.get("at"), f"{where}.at", required=True),
                }
            )
        rec["payments"].append(
            {
                "amount": _int(pay.get("amount"), f"{place}.amount", minimum=1, maximum=BIG_MAX),
                "description": _text(
                    pay.get("description"), f"{place}.description", max_length=300
                ),
                "created_at": _moment(pay.get("created_at"), f"{place}.created_at", required=True),
                "events": events,
            }
        )

    rec["rating"] = None
    if obj.get("rating") is not None:
        rating = _object(obj["rating"], "rating", RATING_FIELDS)
        if status not in _RESOLVED_STATUSES:
            raise _Bad("rating", _("only a resolved dossier can be rated"))
        at = _moment(rating.get("at"), "rating.at", required=True)
        _not_before(at, resolved, "rating.at", "resolved_at")
        rec["rating"] = {
            "level": _choice(rating.get("level"), RatingLevel, "rating.level"),
            "comment": _text(rating.get("comment"), "rating.comment", max_length=5000),
            "at": at,
        }

    rec["events"] = []
    previous_to: str | None = None
    previous_at: datetime | None = None
    for i, item in enumerate(_list(obj.get("events"), "events"), 1):
        place = f"events[{i}]"
        ev = _object(item, place, EVENT_FIELDS)
        seq = _int(ev.get("seq"), f"{place}.seq", minimum=1, maximum=INT_MAX, default=i)
        if seq != i:
            raise _Bad(
                f"{place}.seq",
                _("number %(seq)s, expected %(expected)s (events in order, from 1)")
                % {"seq": seq, "expected": i},
            )
        at = _moment(ev.get("at"), f"{place}.at", required=True)
        assert at is not None
        if previous_at is not None and at < previous_at:
            raise _Bad(
                f"{place}.at",
                _("%(value)s is before the previous event (%(other_value)s)")
                % {
                    "value": at.astimezone(LOCAL_TZ).isoformat(),
                    "other_value": previous_at.astimezone(LOCAL_TZ).isoformat(),
                },
            )
        from_status = ev.get("from") or ""
        if from_status:
            _choice(from_status, Status, f"{place}.from")
        if previous_to is not None and from_status != previous_to:
            raise _Bad(
                f"{place}.from",
                _("“%(from)s” does not follow the previous event, which ended in “%(to)s”")
                % {"from": from_status, "to": previous_to},
            )
        data = ev.get("data") or {}
        if not isinstance(data, dict):
            raise _Bad(f"{place}.data", _("must be an object"))
        rec["events"].append(
            {
                "seq": seq,
                "at": at,
                "actor": _text(ev.get("actor"), f"{place}.actor", required=True, max_length=200),
                "action": _choice(ev.get("action"), Action, f"{place}.action"),
                "from": from_status,
                "to": _choice(ev.get("to"), Status, f"{place}.to"),
                "reason": _text(ev.get("reason"), f"{place}.reason", max_length=5000),
                "data": {k: v for k, v in data.items() if k != IMPORT_MARKER},
            }
        )
        previous_to, previous_at = rec["events"][-1]["to"], at
    if previous_to is not None and previous_to != status:
        raise _Bad(
            "events",
            _("the last event ends in “%(to)s” but the dossier is “%(status)s”")
            % {"to": previous_to, "status": status},
        )
    return rec


# -- the stored dossier as a record ----------------------------------------------------------


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
        "applicant": {
            "kind": dossier.applicant_kind,
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "birth_date": _iso(dossier.applicant_birth_date),
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
            "unit": dossier.applicant_unit.code if dossier.applicant_unit else None,
        },
        "channel": dossier.channel,
        "sets": dossier.sets_count,
        "summary": dossier.summary,
        "components": [
            {
                "name": c.name,
                "originals": c.originals,
                "certified_copies": c.certified_copies,
                "photocopies": c.photocopies,
                "digitised": c.digitised,
            }
            for c in dossier.components.all()
        ],
        "submitted_at": _iso(dossier.submitted_at),
        "received_at": _iso(dossier.received_at),
        "due_at": _iso(dossier.due_at),
        "effective_due_at": _iso(dossier.effective_due_at),
        "reappointed_due_at": _iso(dossier.reappointed_due_at),
        "supplement_requests": dossier.supplement_requests,
        "pauses": [
            {
                "reason": p.reason,
                "start": _iso(p.started_at),
                "end": _iso(p.ended_at),
                "note": p.note,
            }
            for p in dossier.pauses.all()
        ],
        "extensions": [
            {
                "old_due_at": _iso(e.old_due_at),
                "new_due_at": _iso(e.new_due_at),
                "reason": e.reason,
                "signed_by": e.signed_by,
                "at": _iso(e.created_at),
            }
            for e in dossier.extensions.all()
        ],
        "status": dossier.status,
        "current_step": dossier.current_step,
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
        "payments": [
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
        ],
        "rating": _rating_record(dossier),
        "events": [
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
        ],
    }


def _rating_record(dossier: Dossier) -> dict[str, Any] | None:
    try:
        rating = dossier.rating
    except Rating.DoesNotExist:
        return None
    return {"level": rating.level, "comment": rating.comment, "at": _iso(rating.at)}


def _dossiers_with_history() -> Any:
    return (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "receiving_agency",
            "competent_agency",
            "current_agency",
            "applicant_unit",
            "rating",
        )
        .prefetch_related("components", "pauses", "extensions", "payments__events", "events")
        .order_by("submitted_at", "code")
    )


# -- export ----------------------------------------------------------------------------------


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
    qs = _dossiers_with_history()
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    if unit is not None:
        from motcua.units.selectors import units_below

        qs = qs.filter(receiving_agency__unit__in=units_below(unit))
    out.write(json.dumps(HEADER) + "\n")
    count = 0
    for dossier in qs.iterator(chunk_size=500):
        out.write(json.dumps(dossier_record(dossier), ensure_ascii=False) + "\n")
        count += 1
    return count


# -- import ----------------------------------------------------------------------------------


class _LineRefused(Exception):
    """A line that cannot even be decoded: too long, not UTF-8."""


def _lines(source: str | Path | Iterable[str]) -> Iterator[str | _LineRefused]:
    """Each line of the source, or why it cannot be read; never more than one line held.

    A file is read in bytes, a line at most :data:`MAX_LINE_BYTES` at a time: an overlong
    line is skipped in bounded pieces rather than read whole, and a line that is not UTF-8 is
    reported with its number instead of stopping the whole file.
    """
    if not isinstance(source, str | Path):
        for text in source:
            if len(text) > MAX_LINE_BYTES:
                yield _LineRefused(_too_long_line())
            else:
                yield text
        return
    with open(source, "rb") as stream:
        first = True
        while True:
            data = stream.readline(MAX_LINE_BYTES + 1)
            if not data:
                return
            if len(data) > MAX_LINE_BYTES and not data.endswith(b"\n"):
                while data and not data.endswith(b"\n"):  # the rest of the line, unread
                    data = stream.readline(64 * 1024)
                yield _LineRefused(_too_long_line())
                first = False
                continue
            if first and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            first = False
            try:
                yield data.decode("utf-8")
            except UnicodeDecodeError as error:
                yield _LineRefused(
                    _("not UTF-8 text (byte %(at)s of the line)")
                    % {"at": format_number(error.start + 1)}
                )


def _too_long_line() -> str:
    return _("the line is longer than %(n)s bytes (one dossier per line)") % {
        "n": format_number(MAX_LINE_BYTES)
    }


# -- decoding one line safely ----------------------------------------------------------------

# A JSON string (possessive: no backtracking on a long one) and a run of anything else.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}:,]', re.S)


class _Unreadable:
    """What the decoder puts in place of a number that cannot be stored; the scan reports it."""

    made = 0  # how many were ever made: a line that made none needs no scan for them

    def __init__(self, message: str) -> None:
        self.message = message
        _Unreadable.made += 1


# Text that may decode to a NUL or a lone surrogate: the raw character, or its JSON escape.
# A line without any is not scanned string by string (the common case, 8 times faster).
_RISKY_TEXT = re.compile(r"[\x00\ud800-\udfff]|\\u(?:0000|[dD][89a-fA-F])")


def _parse_int(digits: str) -> int | _Unreadable:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        return _Unreadable(
            _("a number of %(n)s digits: no field holds more than %(max)s")
            % {"n": format_number(len(digits.lstrip("-"))), "max": MAX_INT_DIGITS}
        )
    return int(digits)


def _parse_float(text: str) -> float | _Unreadable:
    value = float(text)
    if not math.isfinite(value):
        return _Unreadable(_("the number %(value)s is too large") % {"value": _quoted(text)})
    return value


def _parse_constant(name: str) -> _Unreadable:
    return _Unreadable(_("%(value)s is not a number JSON allows") % {"value": name})


def _depth_exceeded(text: str) -> bool:
    """Whether brackets outside strings nest deeper than :data:`MAX_DEPTH`, found without
    recursion (the JSON decoder recurses once per level and would overflow first)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for char in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False


def _deep_place(text: str) -> str:
    """The field under which a too-deep line nests (its first three levels), for the message."""
    path: list[str] = []
    stack: list[list[Any]] = []  # [kind, key or index]
    key: str | None = None
    for token in _TOKEN.finditer(text):
        part = token.group()
        if part in "[{":
            if stack:
                path.append(_step(stack[-1], key))
            stack.append([part, None if part == "{" else 1])
            key = None
            if len(stack) > MAX_DEPTH:
                break
        elif part in "]}":
            if stack:
                stack.pop()
            if stack and path:  # a nested container closed (the root has no step)
                path.pop()
        elif part == ",":
            if stack and stack[-1][0] == "[":
                stack[-1][1] += 1
            key = None
        elif part == ":":
            pass
        elif stack and stack[-1][0] == "{" and key is None:
            try:
                key = json.loads(part)
            except ValueError:
                key = "?"
    return "".join(path[:3]).lstrip(".")


def _step(frame: list[Any], key: str | None) -> str:
    return f"[{frame[1]}]" if frame[0] == "[" else f".{_quoted(key)}"


def _decode(text: str) -> Any:
    """The line's JSON, or ``_Bad`` naming where it is hostile or not JSON."""
    if _depth_exceeded(text):
        raise _Bad(
            _deep_place(text),
            _("nested more than %(n)s levels deep") % {"n": MAX_DEPTH},
        )
    made = _Unreadable.made
    try:
        raw = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as error:
        raise _Bad(
            "",
            _("not valid JSON (column %(col)s: %(error)s)")
            % {"col": error.colno, "error": error.msg},
        ) from None
    except RecursionError:  # not reached after the depth check; never a traceback
        raise _Bad("", _("nested more than %(n)s levels deep") % {"n": MAX_DEPTH}) from None
    if _Unreadable.made != made or _RISKY_TEXT.search(text):
        _scan(raw, "")
    return raw


def _scan(value: Any, place: str) -> None:
    """Refuse, naming the field, a number no column holds and text no database stores (NUL,
    lone surrogates), in values and keys alike. Depth is bounded, so recursion is safe."""
    if isinstance(value, str):
        problem = forbidden_character(value)
        if problem:
            raise _Bad(place, problem)
    elif isinstance(value, _Unreadable):
        raise _Bad(place, value.message)
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = forbidden_character(key)
            if problem:
                raise _Bad(place, _("a field name %(problem)s") % {"problem": problem})
            _scan(item, f"{place}.{_quoted(key)}" if place else _quoted(key))
    elif isinstance(value, list):
        for i, item in enumerate(value, 1):
            _scan(item, f"{place}[{i}]")


@dataclass
class _Resolved:
    line: int
    rec: dict[str, Any]
    version: ProcedureVersion
    receiving: Agency
    competent: Agency | None
    current: Agency | None
    unit: AdministrativeUnit | None


def _differences(given: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    names = []
    for key, value in given.items():
        if key == "events" and not value:
            continue  # no events in the file: the import made one; nothing to compare
        if stored.get(key) != value:
            names.append(key)
    return names


class _Lookups:
    """Catalogue, agencies and units the file names, read with a few queries."""

    def __init__(self, records: list[tuple[int, dict[str, Any]]]) -> None:
        codes = {r["procedure"] for _, r in records}
        self.versions: dict[str, list[ProcedureVersion]] = {}
        for v in ProcedureVersion.objects.filter(procedure__code__in=codes).select_related(
            "procedure"
        ):
            self.versions.setdefault(v.procedure.code, []).append(v)
        agency_codes = set()
        for _line, r in records:
            agency_codes |= {
                r["receiving_agency"],
                r.get("competent_agency"),
                r.get("current_agency"),
            }
        agency_codes.discard(None)
        self.agencies = {
            a.code: a for a in Agency.objects.filter(code__in=agency_codes).select_related("unit")
        }
        unit_codes = {r["applicant"]["unit"] for _, r in records if r["applicant"]["unit"]}
        self.units: dict[str, list[AdministrativeUnit]] = {}
        for u in AdministrativeUnit.objects.filter(code__in=unit_codes):
            self.units.setdefault(u.code, []).append(u)

    def version(self, rec: dict[str, Any], day: date) -> ProcedureVersion:
        versions = self.versions.get(rec["procedure"])
        if not versions:
            raise _Bad(
                "procedure", _("unknown procedure code %(code)s") % {"code": rec["procedure"]}
            )
        if "procedure_version" in rec:
            for v in versions:
                if v.version == rec["procedure_version"]:
                    return v
            raise _Bad(
                "procedure_version",
                _("procedure %(code)s has no version %(version)s")
                % {"code": rec["procedure"], "version": rec["procedure_version"]},
            )
        for v in versions:
            if v.is_in_force_on(day):
                return v
        raise _Bad(
            "procedure",
            _("procedure %(code)s has no version in force on %(day)s")
            % {"code": rec["procedure"], "day": f"{day:%d/%m/%Y}"},
        )

    def agency(self, code: str | None, place: str) -> Agency | None:
        if code is None:
            return None
        agency = self.agencies.get(code)
        if agency is None:
            raise _Bad(place, _("unknown agency code %(code)s") % {"code": code})
        return agency

    def unit(self, code: str | None, day: date) -> AdministrativeUnit | None:
        if code is None:
            return None
        for u in self.units.get(code, []):
            if (u.valid_from is None or u.valid_from <= day) and (
                u.valid_to is None or day <= u.valid_to
            ):
                return u
        raise _Bad(
            "applicant.unit",
            _("no administrative unit with code %(code)s on %(day)s")
            % {"code": code, "day": f"{day:%d/%m/%Y}"},
        )


def _check(source: str | Path | Iterable[str]) -> tuple[int, list[_Resolved], list[LineError]]:
    errors: list[LineError] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    number = 0
    header_seen = False
    for number, text in enumerate(_lines(source), 1):
        if len(errors) >= MAX_ERRORS:
            errors.append(
                LineError(
                    number,
                    "",
                    _("reading stopped after %(n)s problems: correct them and import again")
                    % {"n": MAX_ERRORS},
                )
            )
            break
        if isinstance(text, _LineRefused):
            errors.append(LineError(number, "", str(text)))
            header_seen = header_seen or number == 1
            continue
        if not text.strip():
            continue
        try:
            raw = _decode(text)
        except _Bad as bad:
            errors.append(LineError(number, bad.place, bad.message))
            header_seen = header_seen or number == 1
            continue
        if not header_seen:
            header_seen = True
            if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
                errors.append(
                    LineError(
                        number,
                        "format",
                        _("the first line must be the header %(header)s")
                        % {"header": json.dumps(HEADER)},
                    )
                )
            elif raw.get("version") != FORMAT_VERSION:
                errors.append(
                    LineError(
                        number,
                        "version",
                        _(
                            "format version %(version)s is not supported "
                            "(this system reads %(ours)s)"
                        )
                        % {"version": _quoted(raw.get("version")), "ours": FORMAT_VERSION},
                    )
                )
            continue
        try:
            rec = parse_record(raw)
        except _Bad as bad:
            errors.append(LineError(number, bad.place, bad.message))
            continue
        if rec["code"] in seen:
            errors.append(
                LineError(
                    number,
                    "code",
                    _("dossier %(code)s is also on line %(line)s")
                    % {"code": rec["code"], "line": seen[rec["code"]]},
                )
            )
            continue
        seen[rec["code"]] = number
        parsed.append((number, rec))
    if not header_seen:
        errors.append(LineError(1, "", _("the file is empty")))

    lookups = _Lookups(parsed)
    resolved: list[_Resolved] = []
    for number, rec in parsed:
        moment = rec["received_at"] or rec["submitted_at"]
        day = moment.astimezone(LOCAL_TZ).date()
        try:
            receiving = lookups.agency(rec["receiving_agency"], "receiving_agency")
            assert receiving is not None
            resolved.append(
                _Resolved(
                    number,
                    rec,
                    lookups.version(rec, day),
                    receiving,
                    lookups.agency(rec["competent_agency"], "competent_agency"),
                    lookups.agency(rec.get("current_agency"), "current_agency"),
                    lookups.unit(rec["applicant"]["unit"], day),
                )
            )
        except _Bad as bad:
            errors.append(LineError(number, bad.place, bad.message))
    return number, resolved, errors


def _derive(item: _Resolved, calendars: dict[int, WorkingCalendar]) -> dict[str, Any]:
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
        kind = timeliness.classify(
            calendar,
            finished_at=rec["resolved_at"],
            due_at=effective or rec["resolved_at"],
            supplement_requests=out["supplement_requests"],
            rule=timeliness.EarlyRule(str(settings.MOTCUA_DOSSIERS["EARLY_RULE"])),
            supplement_limit=supplement_limit(),
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
    lines, items, errors = _check(source)
    report = ImportReport(lines=lines)
    with transaction.atomic():
        # Lock the global chain first: concurrent imports and receipts wait for us, and the
        # existence check below cannot race another import of the same codes.
        ChainHead.objects.bulk_create([ChainHead(pk=1)], ignore_conflicts=True)
        head = ChainHead.objects.select_for_update().get(pk=1)
        codes = [item.rec["code"] for item in items]
        stored: dict[str, dict[str, Any]] = {}
        for start in range(0, len(codes), 500):
            for dossier in _dossiers_with_history().filter(code__in=codes[start : start + 500]):
                stored[dossier.code] = dossier_record(dossier)
        fresh: list[_Resolved] = []
        for item in items:
            current = stored.get(item.rec["code"])
            if current is None:
                fresh.append(item)
                continue
            # Compare in the parsed form, so offsets and spelling of times do not matter.
            given = item.rec
            current_parsed = parse_record(current)
            differing = _differences(given, current_parsed)
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
        if errors:
            errors.sort(key=lambda e: e.line)
            raise HistoryImportError(errors)
        _write(fresh, head, label, report)
    return report


def _write(items: list[_Resolved], head: ChainHead, label: str, report: ImportReport) -> None:
    """Bulk inserts of the checked dossiers; the chain head advanced once."""
    dossiers: list[Dossier] = []
    calendars: dict[int, WorkingCalendar] = {}
    for item in items:
        rec, who = item.rec, item.rec["applicant"]
        derived = _derive(item, calendars)
        open_pause = (
            rec["pauses"][-1] if rec["pauses"] and rec["pauses"][-1]["end"] is None else None
        )
        holder = item.current if "current_agency" in rec else item.competent
        dossiers.append(
            Dossier(
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
        )
    for dossier in dossiers:
        dossier.search_text = dossier_search_text(dossier)  # the back-office search (issue 10)
    Dossier.objects.bulk_create(dossiers, batch_size=500)
    _code_counters(dossiers)

    components, pauses, extensions, payments, ratings = [], [], [], [], []
    payment_events: list[tuple[Payment, dict[str, Any]]] = []
    for dossier, item in zip(dossiers, items, strict=True):
        rec = item.rec
        components += [DossierComponent(dossier=dossier, **c) for c in rec["components"]]
        pauses += [
            Pause(
                dossier=dossier,
                reason=p["reason"],
                started_at=p["start"],
                ended_at=p["end"],
                note=p["note"],
            )
            for p in rec["pauses"]
        ]
        extensions += [
            Extension(
                dossier=dossier,
                old_due_at=e["old_due_at"],
                new_due_at=e["new_due_at"],
                reason=e["reason"],
                signed_by=e["signed_by"],
                created_at=e["at"],
            )
            for e in rec["extensions"]
        ]
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
    DossierComponent.objects.bulk_create(components, batch_size=1000)
    Pause.objects.bulk_create(pauses, batch_size=1000)
    Extension.objects.bulk_create(extensions, batch_size=1000)
    Payment.objects.bulk_create(payments, batch_size=1000)
    PaymentEvent.objects.bulk_create(
        [PaymentEvent(payment=payment, **e) for payment, e in payment_events], batch_size=1000
    )
    Rating.objects.bulk_create(ratings, batch_size=1000)

    # Events: fresh links in the dossier's chain and the global one, in file order.
    recorded = timezone.now()
    events: list[DossierEvent] = []
    last_seq, last_hash = head.last_seq, head.last_hash
    for dossier, item in zip(dossiers, items, strict=True):
        given = item.rec["events"] or [_import_event(item.rec)]
        prev = chain.GENESIS
        for seq, ev in enumerate(given, 1):
            last_seq += 1
            event = DossierEvent(
                dossier=dossier,
                seq=seq,
                chain_seq=last_seq,
                at=ev["at"],
                recorded_at=recorded,
                actor=None,
                actor_name=ev["actor"],
                action=ev["action"],
                from_status=ev["from"],
                to_status=ev["to"],
                reason=ev["reason"],
                data={
                    **ev["data"],
                    IMPORT_MARKER: {"source": label, "seq": ev["seq"]},
                },
                prev_hash=prev,
                chain_prev_hash=last_hash,
            )
            event.hash = chain.event_hash(
                event_content(event, dossier.code), event.prev_hash, event.chain_prev_hash
            )
            prev = last_hash = event.hash
            events.append(event)
        # The dossier's chain tip, which live transitions extend (services._next_event).
        dossier.last_event_seq, dossier.last_event_hash, dossier.last_event_at = (
            len(given),
            prev,
            events[-1].at,
        )
    DossierEvent.objects.bulk_create(events, batch_size=1000)
    Dossier.objects.bulk_update(
        dossiers, ["last_event_seq", "last_event_hash", "last_event_at"], batch_size=500
    )
    if events:
        head.last_seq, head.last_hash = last_seq, last_hash
        head.save(update_fields=["last_seq", "last_hash"])
    report.created += [d.code for d in dossiers]
    report.events = len(events)
    # The figures' ledger, in the same transaction: an imported dossier counts at once.
    ledger_add(contributions_total([d.pk for d in dossiers]))


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


def parse_lines(lines: Iterable[str]) -> list[dict[str, Any]]:
    """The records of a history file, checked (for tools and tests; raises on a bad line)."""
    _, items, errors = _check(lines)
    if errors:
        raise HistoryImportError(errors)
    return [item.rec for item in items]


__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HEADER",
    "HistoryImportError",
    "ImportReport",
    "LineError",
    "dossier_record",
    "export_history",
    "import_history",
    "parse_record",
]
