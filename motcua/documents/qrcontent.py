"""What the QR code on every paper the system issues says (Circular 01/2023/TT-VPCP).

Circular 01/2023/TT-VPCP (in force 25/5/2023; integrations-vn.md §3, "QR code on every issued
paper") requires a QR code at the top left of every paper issued from the provincial system,
carrying at least the dossier code, the procedure code, the applicant's identification number,
the paper's name, the issuing system's name and the time of issue; the receipt (form 01) also
carries the appointment date. The circular fixes the content, not its encoding, so this module
chooses one that is readable by a person with any QR scanner and parseable by a program:

* UTF-8 text (NFC), lines separated by ``\\n``; the first line is ``MOTCUA-QR/1`` (the
  format and its version);
* then one ``Key=Value`` line per field, in this order, a field without a value left out:
  ``MaHoSo`` (dossier code), ``MaTTHC`` (national procedure code), ``SoDinhDanh`` (the
  applicant's ID number), ``TenGiayTo`` (the paper's name), ``HeThong`` (the system's name,
  MOTCUA_SYSTEM_NAME), ``ThoiGianCap`` (time of issue), ``NgayHenTra`` (the appointment:
  forms 01 and 04), ``CoQuan`` (the issuing agency's code), ``TraCuu`` (the public tracking
  link). The keys are the Vietnamese names without tone marks, as in the national portal's
  data (``MaHoSo``, ``MaTTHC``);
* times are Viet Nam time (UTC+7) written ``dd/mm/yyyy HH:MM``, or ``dd/mm/yyyy`` for a paper
  dated by a day (the log, form 06). A value never holds a line break (each is folded to a
  space); it may hold ``=`` (the split is at the first one).

``qr_content`` builds the text, ``parse_qr_content`` reads it back. Pure functions: no Django,
no database, no clock.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

HEADER = "MOTCUA-QR/1"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# The fields in print order: (key, what it is). A paper leaves out what it does not have.
FIELDS = (
    ("MaHoSo", "dossier code"),
    ("MaTTHC", "procedure code"),
    ("SoDinhDanh", "applicant's ID number"),
    ("TenGiayTo", "paper name"),
    ("HeThong", "system name"),
    ("ThoiGianCap", "time of issue"),
    ("NgayHenTra", "appointment"),
    ("CoQuan", "issuing agency"),
    ("TraCuu", "tracking link"),
)
KEYS = tuple(key for key, _what in FIELDS)
REQUIRED = ("TenGiayTo", "HeThong", "ThoiGianCap")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PaperFacts:
    """What one issued paper says about itself in its QR code."""

    paper_name: str
    system_name: str
    issued_at: datetime | date
    dossier_code: str = ""
    procedure_code: str = ""
    applicant_id: str = ""
    appointment_at: datetime | None = None
    agency_code: str = ""
    tracking_url: str = ""


def moment(value: datetime | date) -> str:
    """'08/01/2024 08:05' (Viet Nam time) for a moment, '08/01/2024' for a day."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a moment in a QR code must carry its time zone")
        return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def qr_content(facts: PaperFacts) -> str:
    """The QR text of a paper (format in the module docstring)."""
    values = {
        "MaHoSo": facts.dossier_code,
        "MaTTHC": facts.procedure_code,
        "SoDinhDanh": facts.applicant_id,
        "TenGiayTo": facts.paper_name,
        "HeThong": facts.system_name,
        "ThoiGianCap": moment(facts.issued_at),
        "NgayHenTra": moment(facts.appointment_at) if facts.appointment_at else "",
        "CoQuan": facts.agency_code,
        "TraCuu": facts.tracking_url,
    }
    lines = [HEADER]
    for key in KEYS:
        value = _clean(values[key])
        if value:
            lines.append(f"{key}={value}")
        elif key in REQUIRED:
            raise ValueError(f"the QR code of a paper needs {key}")
    return "\n".join(lines)


def parse_qr_content(text: str) -> dict[str, str]:
    """The fields of a QR text, by key; ``ValueError`` naming the line if it is not one."""
    lines = text.replace("\r\n", "\n").strip("\n").split("\n")
    if not lines or lines[0] != HEADER:
        raise ValueError(f"line 1: expected {HEADER!r}")
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        key, separator, value = line.partition("=")
        if not separator or key not in KEYS:
            raise ValueError(f"line {number}: not a known Key=Value field")
        if key in fields:
            raise ValueError(f"line {number}: {key} given twice")
        fields[key] = unicodedata.normalize("NFC", value)
    missing = [key for key in REQUIRED if key not in fields]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    return fields


def parse_moment(text: str) -> datetime | date:
    """The inverse of ``moment``: an aware datetime (Viet Nam time) or a date."""
    if len(text) == len("08/01/2024"):
        return datetime.strptime(f"{text} +0700", "%d/%m/%Y %z").date()
    return datetime.strptime(f"{text} +0700", "%d/%m/%Y %H:%M %z").astimezone(VIETNAM)
