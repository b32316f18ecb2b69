"""The history file's schema: header, field names, limits, and how problems are reported.

docs/dossier-history-format.md describes every field and limit named here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from motcua.core import workflow
from motcua.core.errors import DomainError
from motcua.dossiers.choices import Status

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
RECEIVED_STATUSES = {s.value for s in workflow.PENDING} | {
    Status.RESOLVED,
    Status.RETURNED,
    Status.STOPPED,
}
RESOLVED_STATUSES = {Status.RESOLVED.value, Status.RETURNED.value}
ENDED_STATUSES = {Status.REFUSED.value, Status.WITHDRAWN.value, Status.STOPPED.value}
PAUSED_STATUSES = {s.value for s in workflow.PAUSED}
BEFORE_RECEIPT = {s.value for s in workflow.BEFORE_RECEIPT} | {Status.REFUSED.value}
# Statuses in which no one can be assigned: a live dossier gets its assignee when it is
# transferred to the competent agency (``dossiers.services``, Received -> In processing) and
# keeps it afterwards, resolved, returned, withdrawn or stopped as well.
UNASSIGNED_STATUSES = BEFORE_RECEIPT | {Status.RECEIVED.value}
# The longest username (``AbstractUser.username``).
USERNAME_LENGTH = 150

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
    "assignee",
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
    "declaration",
    "events",
)
APPLICANT_FIELDS = ("kind", "name", "id_number", "birth_date", "phone", "email", "address", "unit")
COMPONENT_FIELDS = ("name", "originals", "certified_copies", "photocopies", "digitised")
PAUSE_FIELDS = ("reason", "start", "end", "note")
EXTENSION_FIELDS = ("old_due_at", "new_due_at", "reason", "signed_by", "at")
PAYMENT_FIELDS = ("amount", "description", "created_at", "events")
PAYMENT_EVENT_FIELDS = ("kind", "amount", "method", "reference", "at")
RATING_FIELDS = ("level", "comment", "at")
DECLARATION_FIELDS = ("form", "version", "filled_by", "at", "answers")
EVENT_FIELDS = ("seq", "at", "actor", "action", "from", "to", "reason", "data")


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


class HistoryImportError(DomainError):
    """The file was refused; ``errors`` lists every bad line. Nothing was written."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class FieldRefused(Exception):
    """The first problem of a line: the field (dotted path, "" for the line) and why."""

    def __init__(self, place: str, message: str) -> None:
        super().__init__(message)
        self.place = place
        self.message = message


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
