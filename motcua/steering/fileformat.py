"""The indicator values file (CSV or XLSX): columns, cell grammars and reading.

No database here: a file becomes ``(line, {column: text})`` rows, or a ``FileFormatError``
naming the line and column of every problem, in the words the catalogue import uses ("dòng N,
cột X: …", motcua/catalog/fileformat.py). The format is documented in docs/steering.md.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from motcua.lib.parsing import parse_date as lib_parse_date
from motcua.lib.textfiles import NotUtf8, decode_utf8

REQUIRED_COLUMNS: tuple[str, ...] = ("ma_chi_tieu", "den_ngay", "tu_so")
OPTIONAL_COLUMNS: tuple[str, ...] = ("ma_don_vi", "tu_ngay", "mau_so", "ghi_chu")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# The column each field of ``indicator_value_record`` is read from.
FIELD_COLUMNS: dict[str, str] = {
    "definition": "ma_chi_tieu",
    "unit": "ma_don_vi",
    "period_start": "tu_ngay",
    "period_end": "den_ngay",
    "numerator": "tu_so",
    "denominator": "mau_so",
    "note": "ghi_chu",
}

# A whole number as people type it: 25328 or 25.328 (the dot groups thousands, §invariant 6).
COUNT_RE = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)$")


@dataclass(frozen=True)
class RowError:
    """One problem in the file: its line (1 = header), its column if known, and why."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is not None and self.column:
            return _("line %(line)s, column %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        if self.line is not None:
            return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


class FileFormatError(Exception):
    """The file cannot be read as an indicator file, or some rows are malformed."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def clean_text(value: str) -> str:
    """NFC, trimmed, inner runs of spaces collapsed (Excel cells often carry stray spaces)."""
    return re.sub(r"[ \t\u00a0]+", " ", unicodedata.normalize("NFC", value)).strip()


def parse_count(value: str) -> int:
    """'25328' or '25.328' -> 25328; anything else raises ValueError with a message."""
    text = clean_text(value)
    if not COUNT_RE.match(text):
        raise ValueError(
            _("“%(value)s” is not a whole number (write 25328 or 25.328)") % {"value": text}
        )
    return int(text.replace(".", ""))


def parse_date(value: str) -> date:
    """dd/mm/yyyy (also d/m/yyyy) or ISO yyyy-mm-dd."""
    text = clean_text(value)
    try:
        return lib_parse_date(text)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date: write dd/mm/yyyy") % {"value": text}
        ) from None


def _decode(data: bytes) -> str:
    try:
        return decode_utf8(data)
    except NotUtf8 as error:
        if error.utf16:
            message = _("the file is UTF-16 text: save it as “CSV UTF-8”")
        else:
            message = _(
                "the file is not UTF-8 text (byte 0x%(byte)02X): save it as “CSV UTF-8”"
            ) % {"byte": error.byte}
        raise FileFormatError(
            [RowError(None if error.utf16 else error.line, None, message)]
        ) from None


def _csv_records(text: str) -> list[tuple[int, list[object]]]:
    first_line = text.split("\n", 1)[0]
    # Excel with Vietnamese regional settings separates with ';' (the decimal mark is ',').
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[object]]] = []
    start = 1
    try:
        for cells in reader:
            records.append((start, list(cells)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileFormatError([RowError(start, None, str(exc))]) from None
    return records


def _xlsx_records(data: bytes, name: str) -> list[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zipfile, KeyError and XML errors for bad files
        raise FileFormatError(
            [RowError(None, None, _("%(name)s is not a readable XLSX workbook") % {"name": name})]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        # Excel stores every number as a float; 25328.0 is the count 25328.
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return str(value)


def read_rows(data: bytes, name: str) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: text}) for every non-empty data row of a .csv or .xlsx file's bytes;
    a bad header, encoding or row shape raises ``FileFormatError`` naming every problem."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ("csv", "xlsx"):
        raise FileFormatError(
            [RowError(None, None, _("%(name)s: use a .csv or .xlsx file") % {"name": name})]
        )
    raw = _csv_records(_decode(data)) if suffix == "csv" else _xlsx_records(data, name)
    if not raw or all(clean_text(_cell_text(c)) == "" for c in raw[0][1]):
        raise FileFormatError([RowError(1, None, _("the header row is missing"))])

    header = [clean_text(_cell_text(c)).lstrip("\ufeff").casefold() for c in raw[0][1]]
    while header and header[-1] == "":
        header.pop()
    errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    doubled = sorted({c for c in header if c and header.count(c) > 1})
    if missing:
        errors.append(
            RowError(1, None, _("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        )
    if unknown:
        errors.append(
            RowError(
                1,
                None,
                _("unknown columns: %(cols)s (expected: %(expected)s)")
                % {
                    "cols": ", ".join(c or _("(empty)") for c in unknown),
                    "expected": ", ".join(COLUMNS),
                },
            )
        )
    if doubled:
        errors.append(
            RowError(1, None, _("repeated columns: %(cols)s") % {"cols": ", ".join(doubled)})
        )
    if errors:
        raise FileFormatError(errors)

    rows = []
    for line, cells in raw[1:]:
        texts = [_cell_text(c) for c in cells]
        if all(clean_text(t) == "" for t in texts):
            continue
        if any(clean_text(t) for t in texts[len(header) :]):
            errors.append(
                RowError(
                    line,
                    None,
                    _("the row has %(cells)s cells but the header has %(columns)s")
                    % {"cells": len(texts), "columns": len(header)},
                )
            )
            continue
        cells_by_column = {header[i]: clean_text(t) for i, t in enumerate(texts[: len(header)])}
        rows.append((line, cells_by_column))
    if errors:
        raise FileFormatError(errors)
    return rows


def write_template(path_or_buffer: str | io.BytesIO) -> None:
    """An empty XLSX with the header row, to fill in and upload."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Chỉ tiêu"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    workbook.save(path_or_buffer)
