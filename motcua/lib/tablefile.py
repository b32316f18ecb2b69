"""Reading a table people exchange as CSV or XLSX: one reader for every import.

A file becomes ``(line, {column: text})`` rows, or a :class:`FileFormatError` naming the line
and column of every problem ("dòng N, cột X: …"): an unreadable workbook, text that is not
UTF-8, a missing, unknown or repeated column, a row longer than its header. CSV files may be
separated by ``,`` or by ``;`` (Excel with Vietnamese regional settings) and carry a BOM.
The imports (catalogue, indicator values) add their own cell grammars on top.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.lib.textfiles import NotUtf8, decode_utf8


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
    """The file cannot be read as the table expected, or some rows are malformed."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def clean_text(value: str) -> str:
    """NFC, trimmed, inner runs of spaces collapsed (Excel cells often carry stray spaces)."""
    return re.sub(r"[ \t\u00a0]+", " ", unicodedata.normalize("NFC", value)).strip()


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


def _header_errors(
    header: list[str], required: Sequence[str], columns: Sequence[str]
) -> list[RowError]:
    errors = []
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in columns]
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
                    "expected": ", ".join(columns),
                },
            )
        )
    if doubled:
        errors.append(
            RowError(1, None, _("repeated columns: %(cols)s") % {"cols": ", ".join(doubled)})
        )
    return errors


def read_table(
    data: bytes,
    name: str,
    *,
    columns: Sequence[str],
    required: Sequence[str] | None = None,
    cell_text: Callable[[str, object], str],
) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: text}) for every non-empty data row of the .csv or .xlsx file ``name``
    whose bytes are ``data``. ``cell_text(column, value)`` turns an XLSX cell (a number, a
    date…) into the text a CSV would have held. Every problem found is raised together."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ("csv", "xlsx"):
        raise FileFormatError(
            [RowError(None, None, _("%(name)s: use a .csv or .xlsx file") % {"name": name})]
        )
    raw = _csv_records(_decode(data)) if suffix == "csv" else _xlsx_records(data, name)
    if not raw or all(clean_text(cell_text("", c)) == "" for c in raw[0][1]):
        raise FileFormatError([RowError(1, None, _("the header row is missing"))])

    header = [clean_text(cell_text("", c)).lstrip("\ufeff").casefold() for c in raw[0][1]]
    while header and header[-1] == "":
        header.pop()
    errors = _header_errors(header, columns if required is None else required, columns)
    if errors:
        raise FileFormatError(errors)

    rows = []
    for line, cells in raw[1:]:
        texts = [cell_text(header[i] if i < len(header) else "", c) for i, c in enumerate(cells)]
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
        rows.append((line, {header[i]: t for i, t in enumerate(texts[: len(header)])}))
    if errors:
        raise FileFormatError(errors)
    return rows
