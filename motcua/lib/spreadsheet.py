"""Cells for every XLSX and CSV file motcua writes: text is never a live formula.

A spreadsheet runs a cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (and, through
CSV import, with a tab or carriage return before one) as a formula: a directive titled
``=HYPERLINK("http://x","y")`` or a procedure named ``+cmd`` would become a link or a command
in the leader's copy. OWASP's CSV-injection rule is applied to every text cell before it is
written: such text gets a leading single quote, which Excel and LibreOffice show as text.
Numbers, dates and booleans are written as they are (a negative count is a number, not text).

In an XLSX the cell is also forced to the string type, so openpyxl never writes a ``<f>``
element whatever the text. Every writer goes through :func:`write_csv`, :func:`append_row`
(a sheet's row) or :func:`set_cell` (one cell); tests/test_safe_exports.py writes every
export with hostile text and holds the list of writers.

The quote is reversible for files motcua reads back (the catalogue export is also its import
format): :func:`restore_value` removes exactly the quote :func:`safe_value` added. Text that
already began with quotes before a trigger (``'=x``) gets one more, so it survives the trip.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # openpyxl is imported by the writers themselves, only when they run
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

# OWASP "CSV Injection": the characters a spreadsheet reads as the start of a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

T = TypeVar("T")


def needs_quote(text: str) -> bool:
    """Whether ``text`` would start a formula: a trigger, after any number of quotes."""
    return text.lstrip(QUOTE).startswith(FORMULA_TRIGGERS)


def safe_value(value: T) -> T | str:
    """``value`` with a leading quote if it is text a spreadsheet would run as a formula;
    any other value (a number, a date, None) unchanged."""
    if isinstance(value, str) and needs_quote(value):
        return QUOTE + value
    return value


def safe_row(values: Iterable[T]) -> list[T | str]:
    """A row of cells for ``csv.writer.writerow`` or ``Worksheet.append``."""
    return [safe_value(value) for value in values]


def restore_value(text: str) -> str:
    """The text :func:`safe_value` was given, from the text it wrote (for importing a file
    motcua exported): one leading quote before a formula trigger is removed."""
    if text.startswith(QUOTE) and needs_quote(text[1:]):
        return text[1:]
    return text


def set_cell(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write ``value`` into the cell at (``row``, ``column``), text as text (never a
    formula); return the cell for styling."""
    cell = sheet.cell(row=row, column=column)
    cell.value = safe_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """``sheet.append`` with every text cell neutralised and typed as a string."""
    sheet.append(safe_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def write_csv(handle: IO[str], header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    """A CSV table (commas, Excel's quoting) into the text stream ``handle``: the header row,
    then ``rows`` with every text cell neutralised. The caller opens ``handle`` with
    ``newline=""`` and UTF-8 with a BOM, so Excel opens the file as UTF-8."""
    writer = csv.writer(handle)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[object]]) -> bytes:
    """A CSV download's bytes: :func:`write_csv`, UTF-8 with a BOM (Excel opens it as UTF-8)."""
    text = io.StringIO(newline="")
    write_csv(text, header, rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")
