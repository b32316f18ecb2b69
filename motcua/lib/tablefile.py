"""Reading a table people exchange as CSV or XLSX: one reader for every import.

A file becomes ``(line, {column: text})`` rows, or a :class:`FileFormatError` naming the line
and column of every problem ("dòng N, cột X: …"): an unreadable workbook, text that is not
UTF-8, a missing, unknown or repeated column, a row longer than its header. CSV files may be
separated by ``,`` or by ``;`` (Excel with Vietnamese regional settings) and carry a BOM.
The imports (catalogue, indicator values) add their own cell grammars on top.

Every file is read within the limits of ``settings.MOTCUA_IMPORT`` (docs/limits.md), the same
for the web pages and the commands: the file's bytes, an XLSX's unpacked size and packing ratio
(checked before openpyxl opens it), the data rows, a CSV field's length and the problems
reported. Rows are streamed (openpyxl read-only, the CSV reader one record at a time) and the
reading stops at the first limit crossed, so a 290 KB workbook declaring two million rows is
refused after the first rows past the limit, not after reading them all.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_number
from motcua.lib.textfiles import NotUtf8, decode_utf8

# The defaults of settings.MOTCUA_IMPORT (docs/limits.md gives the reasons).
DEFAULT_LIMITS: dict[str, int] = {
    "MAX_FILE_BYTES": 10 * 1024 * 1024,
    "MAX_ROWS": 20_000,
    "MAX_ERRORS": 50,
    "MAX_CSV_FIELD_CHARS": 100_000,
    "XLSX_MAX_UNPACKED_BYTES": 200 * 1024 * 1024,
    "XLSX_MAX_PART_BYTES": 32 * 1024 * 1024,
    "XLSX_MAX_RATIO": 500,
    "XLSX_MAX_MEMBERS": 500,
    "MAX_COLUMNS": 100,
}
# (line, cells) of a file, one record at a time.
Records = Generator[tuple[int, Sequence[object]], None, None]
# Parts smaller than this are not judged by their packing ratio: a few kilobytes of repeated
# XML (styles, an empty sheet) pack very well and harm no one.
RATIO_FLOOR_BYTES = 1024 * 1024


def limit(name: str) -> int:
    """The import limit ``name`` from ``settings.MOTCUA_IMPORT``, or its default."""
    return int(getattr(settings, "MOTCUA_IMPORT", {}).get(name, DEFAULT_LIMITS[name]))


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


def too_many_errors(errors: list[RowError]) -> bool:
    """True once ``errors`` holds more problems than are reported: the caller stops checking."""
    return len(errors) > limit("MAX_ERRORS")


def capped_errors(errors: list[RowError]) -> list[RowError]:
    """The first ``MAX_ERRORS`` problems, and a last line saying the check stopped there."""
    most = limit("MAX_ERRORS")
    if len(errors) <= most:
        return errors
    return [
        *errors[:most],
        RowError(
            None,
            None,
            _(
                "the check stopped after the first %(count)s problems: correct them and "
                "import the file again"
            )
            % {"count": format_number(most)},
        ),
    ]


def clean_text(value: str) -> str:
    """NFC, trimmed, inner runs of spaces collapsed (Excel cells often carry stray spaces)."""
    return re.sub(r"[ \t\u00a0]+", " ", unicodedata.normalize("NFC", value)).strip()


def _megabytes(size: int) -> str:
    """Bytes as megabytes the Vietnamese way: 10, 0,3 or 97,5."""
    value = size / (1024 * 1024)
    return format_number(value, 0 if value == int(value) else 1)


def _file_too_large(name: str, size: int) -> FileFormatError:
    return FileFormatError(
        [
            RowError(
                None,
                None,
                _("%(name)s is %(size)s MB: an import file may be at most %(limit)s MB")
                % {
                    "name": name,
                    "size": _megabytes(size),
                    "limit": _megabytes(limit("MAX_FILE_BYTES")),
                },
            )
        ]
    )


def read_file_bytes(path: str | Path) -> bytes:
    """The bytes of the import file ``path``, its size checked before it is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit("MAX_FILE_BYTES"):
            raise _file_too_large(path.name, size)
        return path.read_bytes()
    except FileNotFoundError:
        raise FileFormatError(
            [RowError(None, None, _("%(name)s: no such file") % {"name": path})]
        ) from None
    except IsADirectoryError:
        raise FileFormatError(
            [RowError(None, None, _("%(name)s: no such file") % {"name": path})]
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


def csv_records(text: str, *, delimiter: str | None = None, strict: bool = False) -> Records:
    """(line, cells) for each record of the CSV ``text``, ``line`` where the record starts.
    The delimiter is the first line's (",", ";" or a tab) unless given; ``strict`` refuses
    a stray quote as ``csv`` does. A malformed record, or a cell longer than
    ``MAX_CSV_FIELD_CHARS``, raises ``FileFormatError`` with one ``RowError`` naming its line
    (the reader's own words for a malformed one)."""
    if delimiter is None:
        first_line = text.split("\n", 1)[0]
        # Excel with Vietnamese regional settings separates with ';' (the decimal mark is ',').
        delimiter = max([",", ";", "\t"], key=first_line.count)
    field_limit = limit("MAX_CSV_FIELD_CHARS")
    previous_limit = csv.field_size_limit(field_limit)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                message = _(
                    "a cell is longer than %(limit)s characters (the limit for an import file)"
                ) % {"limit": format_number(field_limit)}
            else:
                message = str(exc)
            raise FileFormatError([RowError(start, None, message)]) from None
    finally:
        csv.field_size_limit(previous_limit)


def _not_a_workbook(name: str) -> FileFormatError:
    return FileFormatError(
        [RowError(None, None, _("%(name)s is not a readable XLSX workbook") % {"name": name})]
    )


def _check_package(data: bytes, name: str) -> None:
    """Refuse a workbook whose parts would unpack beyond the limits (a "zip bomb"), from the
    sizes its directory declares (Python's zipfile never unpacks more than that)."""

    def refuse(message: str) -> FileFormatError:
        return FileFormatError([RowError(None, None, message)])

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _not_a_workbook(name) from None
    if len(members) > limit("XLSX_MAX_MEMBERS"):
        raise refuse(
            _("%(name)s holds %(count)s parts: a workbook may hold at most %(limit)s")
            % {
                "name": name,
                "count": format_number(len(members)),
                "limit": format_number(limit("XLSX_MAX_MEMBERS")),
            }
        )
    total = 0
    for member in members:
        total += member.file_size
        # A worksheet is streamed row by row; every other part (shared strings, styles) is
        # read whole by openpyxl, so it gets the smaller limit.
        streamed = member.filename.startswith("xl/worksheets/")
        most = limit("XLSX_MAX_UNPACKED_BYTES") if streamed else limit("XLSX_MAX_PART_BYTES")
        if member.file_size > most:
            raise refuse(
                _(
                    "%(name)s: the part %(part)s unpacks to %(size)s MB, more than the "
                    "%(limit)s MB allowed"
                )
                % {
                    "name": name,
                    "part": member.filename,
                    "size": _megabytes(member.file_size),
                    "limit": _megabytes(most),
                }
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > limit("XLSX_MAX_RATIO"):
            raise refuse(
                _(
                    "%(name)s: the part %(part)s unpacks %(ratio)s times larger than it is "
                    "stored (at most %(limit)s): the file is not an ordinary workbook"
                )
                % {
                    "name": name,
                    "part": member.filename,
                    "ratio": format_number(int(ratio)),
                    "limit": format_number(limit("XLSX_MAX_RATIO")),
                }
            )
    if total > limit("XLSX_MAX_UNPACKED_BYTES"):
        raise refuse(
            _("%(name)s unpacks to %(size)s MB, more than the %(limit)s MB allowed")
            % {
                "name": name,
                "size": _megabytes(total),
                "limit": _megabytes(limit("XLSX_MAX_UNPACKED_BYTES")),
            }
        )


def _column_number(reference: str) -> int:
    """'C12' -> 3; 0 without a reference."""
    number = 0
    for letter in reference:
        if not "A" <= letter <= "Z":
            break
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _ScanDone(Exception):
    """The pre-scan has seen enough rows: the row limit is the reader's to report."""


def _check_sheets(data: bytes, name: str) -> None:
    """Stream every worksheet's XML once, cheaply (expat, no tree), before openpyxl builds a
    row: refuse a row of more than ``MAX_COLUMNS`` cells or a cell longer than
    ``MAX_CSV_FIELD_CHARS`` (openpyxl would hold either whole in memory), and a DOCTYPE (no
    workbook has one; entity tricks need it). Stops at the row limit."""
    from xml.parsers import expat

    most_cells = limit("MAX_COLUMNS")
    most_chars = limit("MAX_CSV_FIELD_CHARS")
    last_line = limit("MAX_ROWS") + 1
    state = {"line": 0, "cells": 0, "chars": 0}

    def refuse(message: str) -> FileFormatError:
        return FileFormatError([RowError(state["line"] or None, None, message)])

    def too_wide() -> FileFormatError:
        return refuse(
            _("the row has more than %(limit)s cells (the limit for an import file)")
            % {"limit": format_number(most_cells)}
        )

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rsplit("}", 1)[-1].rsplit(" ", 1)[-1]
        if local == "row":
            number = attributes.get("r", "")
            state["line"] = int(number) if number.isdigit() else state["line"] + 1
            state["cells"] = 0
            if state["line"] > last_line:
                raise _ScanDone
        elif local == "c":
            state["cells"] += 1
            state["chars"] = 0
            # openpyxl makes the row as wide as its last cell's column ("XFD2": 16.384).
            if state["cells"] > most_cells or _column_number(attributes.get("r", "")) > most_cells:
                raise too_wide()

    def text(content: str) -> None:
        state["chars"] += len(content)
        if state["chars"] > most_chars:
            raise refuse(
                _("a cell is longer than %(limit)s characters (the limit for an import file)")
                % {"limit": format_number(most_chars)}
            )

    def doctype(*_args: object) -> None:
        raise _not_a_workbook(name)

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for member in package.infolist():
            if not member.filename.startswith("xl/worksheets/"):
                continue
            parser = expat.ParserCreate(namespace_separator=" ")
            parser.StartElementHandler = start
            parser.CharacterDataHandler = text
            parser.StartDoctypeDeclHandler = doctype
            state.update(line=0, cells=0, chars=0)
            try:
                with package.open(member) as source:
                    while chunk := source.read(64 * 1024):
                        parser.Parse(chunk, False)
                    parser.Parse(b"", True)
            except _ScanDone:
                continue
            except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError):
                raise _not_a_workbook(name) from None


def _sheet_size_from_header(self: Any) -> None:
    """openpyxl's read-only sheet looks for ``<dimension>`` by parsing until the END of
    ``<sheetData>``: a sheet without one is read whole (and kept as a tree) when the workbook
    opens. This looks no further than the START of ``<sheetData>``, where the element must be
    (ECMA-376 §18.3.1.99 puts ``dimension`` before ``sheetData``); the result is the same."""
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    dimension_tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}dimension"
    data_tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheetData"
    with self._get_source() as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start" and element.tag == data_tag:
                return
            if event == "end" and element.tag == dimension_tag:
                bounds = SheetDimension.from_tree(element).boundaries
                if bounds is not None:
                    self._min_column, self._min_row, self._max_column, self._max_row = bounds
                return


def _xlsx_records(data: bytes, name: str) -> Records:
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    _check_package(data, name)
    _check_sheets(data, name)
    # See _sheet_size_from_header: a fix of openpyxl's own lookup, for every read-only sheet.
    ReadOnlyWorksheet._get_size = _sheet_size_from_header
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # openpyxl raises zipfile, KeyError and XML errors for bad files
        raise _not_a_workbook(name) from None
    # The declared size may be a lie (a dimension of A1:XFD1048576 makes every row 16.384
    # cells wide): rows are as long as the cells they hold.
    sheet.reset_dimensions()
    try:
        yield from enumerate(sheet.iter_rows(values_only=True), 1)
    except Exception:  # a malformed XML part found while streaming
        raise _not_a_workbook(name) from None
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


def _too_many_rows(line: int) -> FileFormatError:
    return FileFormatError(
        [
            RowError(
                line,
                None,
                _(
                    "the file has more than %(limit)s data rows, the most one import takes: "
                    "split it into smaller files"
                )
                % {"limit": format_number(limit("MAX_ROWS"))},
            )
        ]
    )


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
    date…) into the text a CSV would have held. The problems found are raised together, up to
    ``MAX_ERRORS`` of them; a file over a limit of ``settings.MOTCUA_IMPORT`` is refused with
    the limit named, as soon as it is crossed."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ("csv", "xlsx"):
        raise FileFormatError(
            [RowError(None, None, _("%(name)s: use a .csv or .xlsx file") % {"name": name})]
        )
    if len(data) > limit("MAX_FILE_BYTES"):
        raise _file_too_large(name, len(data))
    records = csv_records(_decode(data)) if suffix == "csv" else _xlsx_records(data, name)
    try:
        return _rows(records, columns, required, cell_text)
    finally:
        records.close()


def _check_width(line: int, cells: Sequence[object]) -> None:
    most = limit("MAX_COLUMNS")
    if len(cells) > most:
        raise FileFormatError(
            [
                RowError(
                    line,
                    None,
                    _("the row has more than %(limit)s cells (the limit for an import file)")
                    % {"limit": format_number(most)},
                )
            ]
        )


def _rows(
    records: Iterator[tuple[int, Sequence[object]]],
    columns: Sequence[str],
    required: Sequence[str] | None,
    cell_text: Callable[[str, object], str],
) -> list[tuple[int, dict[str, str]]]:
    first = next(records, None)
    if first is not None:
        _check_width(1, first[1])
    if first is None or all(clean_text(cell_text("", c)) == "" for c in first[1]):
        raise FileFormatError([RowError(1, None, _("the header row is missing"))])

    header = [clean_text(cell_text("", c)).lstrip("\ufeff").casefold() for c in first[1]]
    while header and header[-1] == "":
        header.pop()
    errors = _header_errors(header, columns if required is None else required, columns)
    if errors:
        raise FileFormatError(errors)

    # The header is line 1; counting lines (not only the rows kept) also bounds a sheet of
    # empty rows, which openpyxl yields one by one for the gaps a sheet leaves.
    last_line = limit("MAX_ROWS") + 1
    rows = []
    for line, cells in records:
        _check_width(line, cells)
        if line > last_line:
            texts = [cell_text("", c) for c in cells]
            if any(clean_text(t) for t in texts) or line > 2 * last_line:
                raise _too_many_rows(line)
            continue
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
            if too_many_errors(errors):
                break
            continue
        rows.append((line, {header[i]: t for i, t in enumerate(texts[: len(header)])}))
    if errors:
        raise FileFormatError(capped_errors(errors))
    return rows
