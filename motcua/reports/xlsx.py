"""Form II.06a (§4.1) as an XLSX workbook: one row per unit or field, and the totals row.

Columns follow the implemented form [I]: received (total = online + in person/post + carried
over), resolved (total = early + on time + late), being processed (total = within time +
overdue), plus withdrawn or stopped, which the local variants add so the balance holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from motcua.lib.formatting import format_date
from motcua.lib.spreadsheet import safe_row, set_cell
from motcua.reports.selectors import Bucket, Report, Row

B = Bucket
# (column header, how the column's value is computed from a row's figures)
COLUMNS: list[tuple[str, tuple[Bucket, ...]]] = [
    ("Tổng số", (B.RECEIVED, B.CARRIED_OVER)),
    ("Trực tuyến", (B.RECEIVED_ONLINE,)),
    ("Trực tiếp, dịch vụ bưu chính", (B.RECEIVED_DIRECT,)),
    ("Từ kỳ trước", (B.CARRIED_OVER,)),
    ("Tổng số", (B.RESOLVED,)),
    ("Trước hạn", (B.RESOLVED_EARLY,)),
    ("Đúng hạn", (B.RESOLVED_ON_TIME,)),
    ("Quá hạn", (B.RESOLVED_LATE,)),
    ("Tổng số", (B.PENDING,)),
    ("Trong hạn", (B.PENDING_WITHIN_TIME,)),
    ("Quá hạn", (B.PENDING_OVERDUE,)),
    ("Rút, dừng giải quyết", (B.ENDED,)),
]
FORM_TITLE = "Biểu số II.06a/VPCP/KSTT – TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC"
NUMBER_HEADING, LABEL_HEADING, TOTAL_LABEL = "TT", "Đơn vị / lĩnh vực", "Tổng cộng"
GROUPS = [
    ("Số hồ sơ tiếp nhận", 3, 6),
    ("Số hồ sơ đã giải quyết", 7, 10),
    ("Số hồ sơ đang giải quyết", 11, 13),
]


def column_values(figures: Row | Report) -> list[int]:
    return [sum(figures[bucket] for bucket in buckets) for _, buckets in COLUMNS]


def write_form_06a(path: Path | BinaryIO, report: Report, rows: list[Row]) -> None:
    """Write the form for ``report`` with ``rows`` (which add up to the report) to ``path``
    (a file, or a stream for a download)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Biểu II.06a"
    bold = Font(name="Times New Roman", bold=True)
    plain = Font(name="Times New Roman")
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    last = 2 + len(COLUMNS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    set_cell(sheet, 1, 1, f"{FORM_TITLE}: {report.unit.name.upper()}")
    sheet["A1"].font, sheet["A1"].alignment = bold, centre
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    sheet["A2"] = (
        _("Reporting period: from %(start)s to %(end)s")
        % {
            "start": format_date(report.period.start),
            "end": format_date(report.period.end),
        }
        + "; "
        + _("Unit of measure: number of dossiers")
    )
    sheet["A2"].font, sheet["A2"].alignment = plain, centre

    for column, title in ((1, NUMBER_HEADING), (2, LABEL_HEADING)):
        sheet.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
        sheet.cell(4, column, title)
    for title, first, end in GROUPS:
        sheet.merge_cells(start_row=4, start_column=first, end_row=4, end_column=end)
        sheet.cell(4, first, title)
    sheet.merge_cells(start_row=4, start_column=last, end_row=5, end_column=last)
    for index, (title, _buckets) in enumerate(COLUMNS, start=3):
        if index != last:
            sheet.cell(5, index, title)
    sheet.cell(4, last, COLUMNS[-1][0])
    for column in range(1, last + 1):
        sheet.cell(6, column, f"({column})")
    for row_number in (4, 5, 6):
        for column in range(1, last + 1):
            cell = sheet.cell(row_number, column)
            cell.font, cell.alignment, cell.border = bold, centre, box

    row_number = 6
    for number, row in enumerate(rows, start=1):
        row_number += 1
        sheet.cell(row_number, 1, number)
        set_cell(sheet, row_number, 2, row.label)  # a unit's or field's name: text only
        for column, value in enumerate(column_values(row), start=3):
            sheet.cell(row_number, column, value)
    row_number += 1
    sheet.cell(row_number, 2, TOTAL_LABEL)
    for column, value in enumerate(column_values(report), start=3):
        sheet.cell(row_number, column, value)
    for number in range(7, row_number + 1):
        for column in range(1, last + 1):
            cell = sheet.cell(number, column)
            cell.border = box
            cell.font = bold if number == row_number else plain
            if column >= 3:
                cell.number_format = "#,##0"
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 38
    for column in range(3, last + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    book.save(path)


def write_table(
    path: Path | BinaryIO, header: Sequence[str], rows: Iterable[Sequence[str]], *, title: str
) -> None:
    """A plain list (a drill-down's dossiers) as one sheet: a bold header row, then the rows
    as text. Written in openpyxl's write-only mode, a row at a time, so a list of a million
    dossiers takes the memory of one chunk, not of the sheet; the columns are sized to the
    header and the first rows (at most 60 characters)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit for a sheet name
    stream = iter(rows)
    first = [[str(value) for value in row] for row in islice(stream, WIDTH_ROWS)]
    for column, values in enumerate(zip(header, *first, strict=False), start=1):
        width = max(len(str(value)) for value in values) + 2
        sheet.column_dimensions[get_column_letter(column)].width = min(width, 60)
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, value, bold=True) for value in safe_row(header)])
    for row in chain(first, stream):
        # Text never becomes a formula: neutralised (safe_row) and typed as a string.
        sheet.append([_text_cell(sheet, value) for value in safe_row(str(v) for v in row)])
    book.save(path)


# The rows that size a list's columns (the rest are written without being kept).
WIDTH_ROWS = 500


def _text_cell(sheet: Any, value: object, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell
