"""The directives as an XLSX workbook, for the committee's follow-up meetings.

One row per directive: the meeting, the conclusion, the assignee and its responsible head,
the deadline, the status, the completion day and where it stands at the moment of the export.
Headers are Vietnamese (the workbook is exchanged as a Vietnamese document, like form II.06a);
dates are real date cells shown dd/mm/yyyy, so the sheet sorts and filters by them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from motcua.core.clock import LOCAL_TZ
from motcua.directives.choices import STATUS_NAMES_VI, TIMELINESS_NAMES_VI
from motcua.directives.models import Directive
from motcua.directives.selectors import timeliness
from motcua.lib.formatting import format_datetime
from motcua.lib.spreadsheet import set_cell

TITLE = "DANH SÁCH KẾT LUẬN, CHỈ ĐẠO VÀ TÌNH HÌNH THỰC HIỆN"
SHEET = "Kết luận chỉ đạo"
DATE_FORMAT = "dd/mm/yyyy"
# (header, width)
COLUMNS = [
    ("TT", 5),
    ("Cuộc họp", 34),
    ("Ngày họp", 12),
    ("Số kết luận", 8),
    ("Nội dung kết luận, chỉ đạo", 60),
    ("Cơ quan, đơn vị thực hiện", 32),
    ("Người chịu trách nhiệm", 26),
    ("Hạn hoàn thành", 14),
    ("Tình trạng", 16),
    ("Ngày hoàn thành", 14),
    ("Kết quả", 22),
]
HEADER_ROW = 4


def _local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(LOCAL_TZ).date() if moment is not None else None


def directive_cells(directive: Directive, at: datetime) -> list[object]:
    """The row of one directive (without its number)."""
    assignee = directive.agency.name if directive.agency is not None else directive.unit.name
    return [
        f"{directive.meeting.body}: {directive.meeting.title}",
        directive.meeting.held_on,
        directive.number,
        directive.text,
        assignee,
        directive.head_name,
        _local_day(directive.deadline),
        STATUS_NAMES_VI[directive.status],
        _local_day(directive.completed_at),
        TIMELINESS_NAMES_VI[timeliness(directive, at)],
    ]


def write_directives(
    target: str | IO[bytes], directives: Iterable[Directive], *, scope: str, at: datetime
) -> int:
    """Write the workbook to ``target`` (a path or a binary stream); return the rows written.

    ``scope`` names what the list covers (a unit's name) for the title block."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    bold = Font(name="Times New Roman", bold=True)
    plain = Font(name="Times New Roman")
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(vertical="top", wrap_text=True)
    last = get_column_letter(len(COLUMNS))

    sheet["A1"] = TITLE
    sheet["A1"].font = Font(name="Times New Roman", bold=True, size=13)
    sheet.merge_cells(f"A1:{last}1")
    set_cell(sheet, 2, 1, f"{scope} – tính đến {format_datetime(at.astimezone(LOCAL_TZ))}")
    sheet["A2"].font = plain
    sheet.merge_cells(f"A2:{last}2")
    for column, (header, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        cell.font, cell.border = bold, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    count = 0
    for count, directive in enumerate(directives, start=1):
        row = HEADER_ROW + count
        for column, value in enumerate([count, *directive_cells(directive, at)], start=1):
            cell = set_cell(sheet, row, column, value)  # text never becomes a formula
            cell.font, cell.border, cell.alignment = plain, box, wrap
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    book.save(target)
    return count
