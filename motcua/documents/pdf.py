"""PDF documents laid out as Decree 30/2020/NĐ-CP asks (domain spec §9), on top of fpdf2.

Every generated document (report forms, the one-stop receipts 01–05) starts from ``Document``:
A4 portrait or landscape, the decree's margins, the vendored Liberation Serif (metric-compatible
with Times New Roman, complete for Vietnamese) in all four styles, page numbers centred in the top
margin from page 2 on, and helpers for the national title, the place-and-date line and tables
whose heading rows repeat on every page.

Output is deterministic: the creation date and producer are fixed (the PDF's /ID is a hash of
the content and that date), so the same input gives the same bytes on every machine. Text is
normalised to NFC on its way into the page, whatever the caller passes.

The fixed wording here (national title, motto, "ngày … tháng … năm …") is the legal form of a
Vietnamese administrative document, so it is Vietnamese in every interface language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay

from motcua.lib.formatting import nfc

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "LiberationSerif"
_FONT_FILES = {
    "": "LiberationSerif-Regular.ttf",
    "B": "LiberationSerif-Bold.ttf",
    "I": "LiberationSerif-Italic.ttf",
    "BI": "LiberationSerif-BoldItalic.ttf",
}

# §9: top 20–25, bottom 20–25, left 30–35, right 15–20 mm; we take the smallest of each.
MARGIN_TOP = 20.0
MARGIN_BOTTOM = 20.0
MARGIN_LEFT = 30.0
MARGIN_RIGHT = 15.0
# A5 (the one-stop forms 01–05, §2): the decree's A4 margins would leave 103 of 148 mm for
# text, too narrow for the two-box heading, so A5 takes about half of each (NOT CONFIRMED:
# TT 01/2018 gives no margins for its A5 forms).
A5_MARGINS = (12.0, 10.0, 12.0, 15.0)  # top, right, bottom, left

BODY_SIZE = 13.0  # §9 body text 13–14 pt
PAGE_NUMBER_SIZE = 13.0  # §9 page numbers 13–14 pt, regular
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# A constant, not "now": the same input must give the same bytes (the decree's own date).
FIXED_CREATION_DATE = datetime(2020, 3, 5, tzinfo=UTC)
PRODUCER = "motcua"

Orientation = Literal["portrait", "landscape"]
Paper = Literal["A4", "A5"]
Align = Literal["L", "C", "R", "J"]


def long_date(day: date) -> str:
    """'ngày 05 tháng 02 năm 2026': days 1–9 and months 1–2 take a leading zero (§9)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_and_date_text(place: str, day: date) -> str:
    """'Bắc Kạn, ngày 05 tháng 02 năm 2026' (§9, box 4)."""
    return nfc(f"{place}, {long_date(day)}")


@dataclass(frozen=True)
class Cell:
    """A table cell that spans, aligns or weighs differently from its column's default."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    align: Align | None = None
    bold: bool = False


class Document(FPDF):
    """An A4 (or, for the one-stop forms, A5) document in Decree 30/2020 layout (§9),
    typeset in Liberation Serif.

    Draw with the fpdf2 API or the helpers below, then ``save(path)`` or ``to_bytes()``.
    """

    def __init__(
        self,
        *,
        orientation: Orientation = "portrait",
        title: str = "",
        created: datetime = FIXED_CREATION_DATE,
        paper: Paper = "A4",
    ) -> None:
        # A5 in millimetres: fpdf2 warns that its own A5 changed in 2.8.5 (the size is the same).
        size = (148.0, 210.0) if paper == "A5" else "A4"
        super().__init__(orientation="L" if orientation == "landscape" else "P", format=size)
        if paper == "A5":
            top, right, bottom, left = A5_MARGINS
        else:
            top, right, bottom, left = MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT
        self.margin_box = (top, right, bottom, left)
        self.set_margins(left, top, right)
        self.set_auto_page_break(True, margin=bottom)
        for style, filename in _FONT_FILES.items():
            self.add_font(FAMILY, style, FONT_DIR / filename)
        self.set_font(FAMILY, size=BODY_SIZE)
        self.set_creation_date(created)
        self.set_producer(PRODUCER)
        self.set_creator(PRODUCER)
        self.set_lang("vi")
        if title:
            self.set_title(nfc(title))

    def normalize_text(self, text: str) -> str:
        # fpdf2 passes every string it draws or measures through here.
        return super().normalize_text(nfc(text))

    def header(self) -> None:
        # §9: Arabic page numbers centred in the top margin, not on the first page.
        if self.page_no() == 1:
            return
        # The decree's margins, not l_margin: a table being drawn may have moved that.
        top, right, _bottom, left = self.margin_box
        self.set_font(FAMILY, "", PAGE_NUMBER_SIZE)
        self.set_xy(left, 0)
        self.cell(w=self.w - left - right, h=top, text=self.page_label(), align="C")
        self.set_xy(self.l_margin, self.t_margin)

    def page_label(self) -> str:
        """The number shown in the top margin of pages after the first."""
        return str(self.page_no())

    def line_height(self, factor: float = 1.25) -> float:
        """A line of the current font, in mm (single spacing with a little air)."""
        return float(self.font_size) * factor

    def text_line(
        self,
        text: str,
        *,
        size: float = BODY_SIZE,
        style: str = "",
        align: Align = "C",
        x: float | None = None,
        width: float | None = None,
    ) -> None:
        """One paragraph (wrapped if needed) across ``width`` from ``x`` (default: the text
        area), after which the cursor is at the left margin of the next line."""
        self.set_font(FAMILY, style, size)
        self.set_x(self.l_margin if x is None else x)
        self.multi_cell(
            w=self.epw if width is None else width,
            h=self.line_height(),
            text=text,
            align=align,
            new_x="LMARGIN",
            new_y="NEXT",
        )

    def national_title(
        self,
        *,
        x: float | None = None,
        width: float | None = None,
        title_size: float = 12,
        motto_size: float = 13,
    ) -> None:
        """National title (12 pt bold capitals) and motto (13 pt bold) centred in the box from
        ``x`` across ``width``, with a solid rule as long as the motto beneath (§9, box 1).
        The A5 forms pass smaller sizes: the title would not fit beside the agency's name."""
        left = self.l_margin if x is None else x
        span = self.epw if width is None else width
        self.text_line(NATIONAL_TITLE, size=title_size, style="B", x=left, width=span)
        self.text_line(MOTTO, size=motto_size, style="B", x=left, width=span)
        rule = self.get_string_width(MOTTO)
        start = left + (span - rule) / 2
        self.set_line_width(0.3)
        self.line(start, self.y + 0.5, start + rule, self.y + 0.5)
        self.ln(2)

    def place_and_date(
        self,
        place: str,
        day: date,
        *,
        x: float | None = None,
        width: float | None = None,
        align: Align = "C",
    ) -> None:
        """'Bắc Kạn, ngày 05 tháng 02 năm 2026' in 13 pt italics (§9, box 4)."""
        self.text_line(
            place_and_date_text(place, day), size=13, style="I", align=align, x=x, width=width
        )

    def grid(
        self,
        rows: Sequence[Sequence[str | Cell]],
        *,
        col_widths: Sequence[float],
        heading_rows: int = 1,
        align: Sequence[Align] | None = None,
        size: float = 11,
    ) -> None:
        """A ruled table across the text area. The first ``heading_rows`` rows are bold and
        centred and repeat at the top of every page the table runs onto. ``col_widths`` are
        proportions; ``align`` gives each column's alignment for the other rows. A cell that
        another cell spans into by rowspan/colspan is simply left out of its row."""
        self.set_font(FAMILY, "", size)
        self.set_x(self.l_margin)
        aligns: list[Align] = list(align) if align is not None else ["L"] * len(col_widths)
        with self.table(
            width=self.epw,
            align="LEFT",  # fpdf2 would centre it on the paper, ignoring the unequal margins
            col_widths=tuple(col_widths),
            num_heading_rows=heading_rows,
            first_row_as_headings=heading_rows > 0,
            repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=self.line_height(1.2),
            padding=(0.8, 1.0),
            v_align="MIDDLE",
        ) as table:
            # Columns taken, row by row, by cells spanning down from the rows above.
            taken: dict[int, set[int]] = {}
            for number, cells in enumerate(rows):
                heading = number < heading_rows
                row = table.row()
                column = 0
                for cell in cells:
                    while column in taken.get(number, set()):
                        column += 1
                    spec = cell if isinstance(cell, Cell) else Cell(cell)
                    default: Align = "C" if heading else aligns[min(column, len(aligns) - 1)]
                    row.cell(
                        spec.text,
                        align=spec.align or default,
                        colspan=spec.colspan,
                        rowspan=spec.rowspan,
                        style=FontFace(emphasis="BOLD") if spec.bold and not heading else None,
                    )
                    for below in range(number + 1, number + spec.rowspan):
                        taken.setdefault(below, set()).update(range(column, column + spec.colspan))
                    column += spec.colspan

    def to_bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())

    def save(self, path: Path) -> None:
        """Write the finished PDF to ``path``."""
        Path(path).write_bytes(self.to_bytes())
