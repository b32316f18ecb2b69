"""Form II.06a (§4.1) as a PDF: the XLSX form's columns and rows on landscape A4 (§9 layout).

Columns, groups and the figures in them come from ``reports.xlsx`` so the two forms cannot
drift apart. Counts are written in Vietnamese format without padding (5, not 05), as the
workbook's "#,##0" cells show them. A balance line under the table gives the figures the
columns merge (received in the period, 1.608 in the seed, is column 3 minus column 6).
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from motcua.documents.pdf import Align, Cell, Document
from motcua.lib.formatting import format_count, format_date, format_number
from motcua.reports.selectors import Bucket, Report, Row
from motcua.reports.xlsx import (
    COLUMNS,
    FORM_TITLE,
    GROUPS,
    LABEL_HEADING,
    NUMBER_HEADING,
    TOTAL_LABEL,
    column_values,
)

# Proportions of the 252 mm between the margins: number, label, then each figure, the
# in-person-or-post column a little wider so its heading takes three lines, not four.
_WIDTHS = [2.0, 11.0] + [4.0 if "bưu chính" in title else 3.0 for title, _b in COLUMNS]
_RIGHT: Align = "R"
_ALIGN: list[Align] = ["C", "L", *[_RIGHT] * len(COLUMNS)]
_TABLE_SIZE = 10.0


def _headings() -> list[list[str | Cell]]:
    # Form columns are numbered from 1: (1) TT, (2) label, (3)... the figures.
    first: list[str | Cell] = [Cell(NUMBER_HEADING, rowspan=2), Cell(LABEL_HEADING, rowspan=2)]
    second: list[str | Cell] = []
    starts = {start: (title, end) for title, start, end in GROUPS}
    grouped = {c for _title, start, end in GROUPS for c in range(start, end + 1)}
    for column, (title, _buckets) in enumerate(COLUMNS, start=3):
        if column in starts:
            group, end = starts[column]
            first.append(Cell(group, colspan=end - column + 1))
        if column in grouped:
            second.append(title)
        else:
            first.append(Cell(title, rowspan=2))
    numbers: list[str | Cell] = [f"({n})" for n in range(1, len(COLUMNS) + 3)]
    return [first, second, numbers]


def _figures(figures: Row | Report) -> list[str]:
    return [format_number(value) for value in column_values(figures)]


def form_06a_document(report: Report, rows: list[Row]) -> Document:
    """The form for ``report`` with ``rows`` (which add up to the report), ready to save."""
    unit = report.unit.name
    document = Document(orientation="landscape", title=f"{FORM_TITLE}: {unit}")
    document.add_page()
    document.text_line(f"{FORM_TITLE}: {unit.upper()}", size=13, style="B")
    document.text_line(
        _("Reporting period: from %(start)s to %(end)s")
        % {"start": format_date(report.period.start), "end": format_date(report.period.end)},
        size=13,
        style="I",
    )
    document.text_line(_("Unit of measure: number of dossiers"), size=12, style="I", align="R")
    document.ln(1)

    table: list[list[str | Cell]] = _headings()
    for number, row in enumerate(rows, start=1):
        table.append([str(number), row.label, *_figures(row)])
    total: list[str | Cell] = ["", Cell(TOTAL_LABEL, bold=True)]
    table.append(total + [Cell(figure, bold=True) for figure in _figures(report)])
    document.grid(table, col_widths=_WIDTHS, heading_rows=3, align=_ALIGN, size=_TABLE_SIZE)

    document.ln(2)
    document.text_line(
        _(
            "Balance: carried over %(carried)s + received %(received)s = resolved %(resolved)s + "
            "withdrawn or stopped %(ended)s + being processed %(pending)s"
        )
        % {
            "carried": format_count(report[Bucket.CARRIED_OVER]),
            "received": format_count(report[Bucket.RECEIVED]),
            "resolved": format_count(report[Bucket.RESOLVED]),
            "ended": format_count(report[Bucket.ENDED]),
            "pending": format_count(report[Bucket.PENDING]),
        },
        size=11,
        style="I",
        align="L",
    )
    return document


def briefing_document(report: Report, text: str) -> Document:
    """The briefing (``reports.briefing``) as an A4 document: a title naming the unit and the
    period, then its paragraphs justified (§9 body text)."""
    unit = report.unit.name
    title = _("Briefing on handling administrative procedures: %(unit)s") % {"unit": unit}
    document = Document(title=title)
    document.add_page()
    document.text_line(title.upper(), size=13, style="B")
    document.text_line(
        _("Reporting period: from %(start)s to %(end)s")
        % {"start": format_date(report.period.start), "end": format_date(report.period.end)},
        size=13,
        style="I",
    )
    document.ln(4)
    for paragraph in text.split("\n\n"):
        document.text_line(paragraph, align="J")
        document.ln(2)
    return document


def write_form_06a_pdf(path: Path, report: Report, rows: list[Row]) -> None:
    """Write the form for ``report`` with ``rows`` to ``path`` as PDF."""
    form_06a_document(report, rows).save(path)
