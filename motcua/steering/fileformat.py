"""The indicator values file (CSV or XLSX): columns, cell grammars and reading.

No database here: a file becomes ``(line, {column: text})`` rows, or a ``FileFormatError``
naming the line and column of every problem, in the words the catalogue import uses ("dòng N,
cột X: …", motcua/catalog/fileformat.py). The format is documented in docs/steering.md.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from django.utils.translation import gettext as _

from motcua.lib.spreadsheet import append_row
from motcua.lib.tablefile import clean_text, read_table

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


def parse_count(value: str) -> int:
    """'25328' or '25.328' -> 25328; anything else raises ValueError with a message."""
    text = clean_text(value)
    if not COUNT_RE.match(text):
        raise ValueError(
            _("“%(value)s” is not a whole number (write 25328 or 25.328)") % {"value": text}
        )
    return int(text.replace(".", ""))


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
    rows = read_table(
        data,
        name,
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        cell_text=lambda _column, value: _cell_text(value),
    )
    return [(line, {column: clean_text(t) for column, t in cells.items()}) for line, cells in rows]


def write_template(path_or_buffer: str | io.BytesIO) -> None:
    """An empty XLSX with the header row, to fill in and upload."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Chỉ tiêu"
    append_row(sheet, COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    workbook.save(path_or_buffer)
