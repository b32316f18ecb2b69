"""The catalogue file (CSV or XLSX): columns, value grammars, reading and writing.

No database here: this module turns a file into checked ``ProcedureRow`` values, or into a list
of ``RowError`` naming the line and column of every bad cell, and turns rows back into a file.
The grammar is documented in docs/catalog.md; keep the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalog.choices import LimitUnit, OnlineLevel, ProcedureLevel
from motcua.lib.parsing import parse_cell_date
from motcua.lib.spreadsheet import append_row, restore_value, write_csv
from motcua.lib.tablefile import (
    FileFormatError,
    RowError,
    clean_text,
    read_file_bytes,
    read_table,
)

COLUMNS: tuple[str, ...] = (
    "ma_thu_tuc",
    "ten_thu_tuc",
    "ma_linh_vuc",
    "ten_linh_vuc",
    "cap_thuc_hien",
    "ma_co_quan",
    "co_quan_thuc_hien",
    "thoi_han",
    "don_vi_thoi_han",
    "thoi_han_truc_tuyen",
    "le_phi",
    "chung_thuc",
    "muc_do_dvc",
    "thanh_phan_ho_so",
    "hieu_luc_tu",
    "het_hieu_luc_tu",
)

# National codes look like 1.001193; local systems add their own, so only forbid what would
# break a dossier code or a URL.
CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._\-]{0,39}$")
# The national database's own shape (d.dddddd): lets us repair a code Excel turned into a number.
NATIONAL_CODE_RE = re.compile(r"^\d\.\d{6}$")

LEVEL_WORDS: dict[str, str] = {
    "province": ProcedureLevel.PROVINCE,
    "tỉnh": ProcedureLevel.PROVINCE,
    "cấp tỉnh": ProcedureLevel.PROVINCE,
    "district": ProcedureLevel.DISTRICT,
    "huyện": ProcedureLevel.DISTRICT,
    "cấp huyện": ProcedureLevel.DISTRICT,
    "commune": ProcedureLevel.COMMUNE,
    "xã": ProcedureLevel.COMMUNE,
    "cấp xã": ProcedureLevel.COMMUNE,
}
UNIT_WORDS: dict[str, str] = {
    "working_days": LimitUnit.WORKING_DAYS,
    "ngày làm việc": LimitUnit.WORKING_DAYS,
    "working_hours": LimitUnit.WORKING_HOURS,
    "giờ làm việc": LimitUnit.WORKING_HOURS,
    "giờ": LimitUnit.WORKING_HOURS,
    "calendar_days": LimitUnit.CALENDAR_DAYS,
    "ngày": LimitUnit.CALENDAR_DAYS,
    "ngày theo lịch": LimitUnit.CALENDAR_DAYS,
}
ONLINE_WORDS: dict[str, str] = {
    "full": OnlineLevel.FULL,
    "toàn trình": OnlineLevel.FULL,
    "partial": OnlineLevel.PARTIAL,
    "một phần": OnlineLevel.PARTIAL,
    "none": OnlineLevel.NONE,
    "không": OnlineLevel.NONE,
}
YES_WORDS = {"có", "x", "1", "true", "yes", "c"}
NO_WORDS = {"", "không", "0", "false", "no", "k"}

# The words written on export: the Vietnamese ones, since people open these files.
LEVEL_OUT = {
    ProcedureLevel.PROVINCE: "tỉnh",
    ProcedureLevel.DISTRICT: "huyện",
    ProcedureLevel.COMMUNE: "xã",
}
UNIT_OUT = {
    LimitUnit.WORKING_DAYS: "ngày làm việc",
    LimitUnit.WORKING_HOURS: "giờ làm việc",
    LimitUnit.CALENDAR_DAYS: "ngày",
}
ONLINE_OUT = {
    OnlineLevel.FULL: "toàn trình",
    OnlineLevel.PARTIAL: "một phần",
    OnlineLevel.NONE: "không",
}

AMOUNT_RE = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)\s*(?:đ|đồng|vnđ|vnd)?$", re.IGNORECASE)
COMPONENT_RE = re.compile(r"^(?P<name>.*?)\s*\[\s*(\d+)\s*/\s*(\d+)\s*/\s*(\d+)\s*\]$")


@dataclass(frozen=True)
class Component:
    name: str
    originals: int
    certified_copies: int
    photocopies: int


@dataclass(frozen=True)
class Fee:
    label: str
    amount: int


@dataclass(frozen=True)
class ProcedureRow:
    """One procedure as read from (or written to) the file."""

    line: int
    code: str
    name: str
    field_code: str
    field_name: str
    level: str
    agency_code: str
    competent_body: str
    time_limit: int
    time_limit_unit: str
    online_time_limit: int | None
    fees: tuple[Fee, ...]
    is_certification: bool
    online_level: str
    components: tuple[Component, ...]
    valid_from: date | None
    valid_to: date | None

    def content(self) -> tuple[object, ...]:
        """What a version is made of: equal content means re-importing changes nothing."""
        return (
            self.name,
            self.field_code,
            self.level,
            self.agency_code,
            self.competent_body,
            self.time_limit,
            self.time_limit_unit,
            self.online_time_limit,
            self.fees,
            self.is_certification,
            self.online_level,
            self.components,
        )


# ---------------------------------------------------------------- value grammars


def _word(value: str) -> str:
    return clean_text(value).casefold()


def parse_positive_int(value: str) -> int:
    text = clean_text(value)
    if not re.fullmatch(r"[+-]?\d+", text) or int(text) <= 0:
        raise ValueError(_("“%(value)s” is not a whole number greater than 0") % {"value": text})
    return int(text)


def parse_amount(value: str) -> int:
    text = clean_text(value)
    match = AMOUNT_RE.match(text)
    if not match:
        raise ValueError(
            _("“%(value)s” is not an amount in đồng (write 50000 or 50.000)") % {"value": text}
        )
    return int(match[1].replace(".", ""))


def parse_fees(value: str) -> tuple[Fee, ...]:
    """``0`` or empty (free), ``50000``, or ``Cấp mới=50000; Cấp lại=25000``."""
    text = clean_text(value)
    if text == "":
        return ()
    parts = [clean_text(p) for p in re.split(r"[;\n]", text) if clean_text(p)]
    if len(parts) == 1 and "=" not in parts[0]:
        amount = parse_amount(parts[0])
        return () if amount == 0 else (Fee("", amount),)
    fees = []
    for part in parts:
        label, sep, amount_text = part.partition("=")
        if not sep or not clean_text(label):
            raise ValueError(
                _("“%(part)s”: with several fees write each as label=amount") % {"part": part}
            )
        fees.append(Fee(clean_text(label), parse_amount(amount_text)))
    return tuple(fees)


def parse_components(value: str) -> tuple[Component, ...]:
    """``Tờ khai [1/0/0]; Bản sao CCCD [0/1/0]``: originals/certified copies/photocopies."""
    components = []
    for raw in re.split(r"[;\n]", value):
        part = clean_text(raw)
        if not part:
            continue
        match = COMPONENT_RE.match(part)
        if match:
            name = clean_text(match["name"])
            counts = (int(match[2]), int(match[3]), int(match[4]))
        elif "[" in part or "]" in part:
            raise ValueError(
                _("“%(part)s”: write the copies as [originals/certified copies/photocopies]")
                % {"part": part}
            )
        else:
            # No counts given: one original, the usual case for forms and applications.
            name, counts = part, (1, 0, 0)
        if not name:
            raise ValueError(_("a component has no name: “%(part)s”") % {"part": part})
        if len(name) > 500:
            raise ValueError(_("a component name is longer than 500 characters"))
        components.append(Component(name, *counts))
    return tuple(components)


def _choice(value: str, words: dict[str, str]) -> str:
    word = _word(value)
    if word in words:
        return words[word]
    raise ValueError(
        _("“%(value)s” is not one of: %(allowed)s")
        % {"value": clean_text(value), "allowed": ", ".join(words)}
    )


def parse_bool(value: str) -> bool:
    word = _word(value)
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not có or không") % {"value": clean_text(value)})


def _code(raw: str) -> str:
    text = clean_text(raw)
    if not CODE_RE.match(text):
        raise ValueError(
            _("“%(value)s” is not a procedure code (letters, digits, . _ -; up to 40)")
            % {"value": text}
        )
    return text


def _name(raw: str) -> str:
    text = clean_text(raw)
    if len(text) > 500:
        raise ValueError(_("longer than 500 characters"))
    return text


def _short_text(raw: str) -> str:
    text = clean_text(raw)
    if len(text) > 300:
        raise ValueError(_("longer than 300 characters"))
    return text


def _field_code(raw: str) -> str:
    text = clean_text(raw)
    if len(text) > 40 or " " in text:
        raise ValueError(
            _("“%(value)s” is not a field code (no spaces; up to 40)") % {"value": text}
        )
    return text


def _optional_int(raw: str) -> int | None:
    return None if clean_text(raw) == "" else parse_positive_int(raw)


def _optional_date(raw: str) -> date | None:
    return None if clean_text(raw) == "" else parse_cell_date(raw)


def _level(raw: str) -> str:
    return _choice(raw, LEVEL_WORDS)


def _limit_unit(raw: str) -> str:
    return _choice(raw, UNIT_WORDS)


def _online_level(raw: str) -> str:
    return _choice(raw, ONLINE_WORDS)


# Each ProcedureRow field: its column, how the cell is read, whether it must be filled. Checked
# in this order, so a row's errors come in it.
ROW_CELLS: tuple[tuple[str, str, Callable[[str], object], bool], ...] = (
    ("code", "ma_thu_tuc", _code, True),
    ("name", "ten_thu_tuc", _name, True),
    ("field_code", "ma_linh_vuc", _field_code, True),
    ("field_name", "ten_linh_vuc", _short_text, False),
    ("level", "cap_thuc_hien", _level, True),
    ("agency_code", "ma_co_quan", _short_text, False),
    ("competent_body", "co_quan_thuc_hien", _short_text, False),
    ("time_limit", "thoi_han", parse_positive_int, True),
    ("time_limit_unit", "don_vi_thoi_han", _limit_unit, True),
    ("online_time_limit", "thoi_han_truc_tuyen", _optional_int, False),
    ("fees", "le_phi", parse_fees, False),
    ("is_certification", "chung_thuc", parse_bool, False),
    ("online_level", "muc_do_dvc", _online_level, True),
    ("components", "thanh_phan_ho_so", parse_components, False),
    ("valid_from", "hieu_luc_tu", _optional_date, False),
    ("valid_to", "het_hieu_luc_tu", _optional_date, False),
)


def _cell(
    line: int,
    cells: dict[str, str],
    column: str,
    parse: Callable[[str], object],
    required: bool,
    errors: list[RowError],
) -> object:
    """The cell read by ``parse``; None, with an error added, if it is empty but required or
    does not parse."""
    raw = cells.get(column, "")
    if required and clean_text(raw) == "":
        errors.append(RowError(line, column, _("the cell is empty: a value is required")))
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        errors.append(RowError(line, column, str(exc)))
        return None


def parse_row(
    line: int, cells: dict[str, str], *, valid_from_default: date | None = None
) -> ProcedureRow | list[RowError]:
    """Check every cell of one row; either the row or all its errors."""
    errors: list[RowError] = []
    values = {
        field: _cell(line, cells, column, parse, required, errors)
        for field, column, parse, required in ROW_CELLS
    }
    if errors:
        return errors
    if values["valid_from"] is None:
        if valid_from_default is None:
            return [RowError(line, "hieu_luc_tu", _("the cell is empty: a value is required"))]
        values["valid_from"] = valid_from_default
    errors = _row_problems(line, values)
    if errors:
        return errors
    return ProcedureRow(line=line, **values)  # type: ignore[arg-type]


def _row_problems(line: int, values: dict[str, Any]) -> list[RowError]:
    """What is wrong between a row's cells: the validity dates, the time limits, the body."""
    errors: list[RowError] = []
    valid_from, valid_to = values["valid_from"], values["valid_to"]
    assert isinstance(valid_from, date)
    if valid_to is not None and valid_to <= valid_from:
        errors.append(
            RowError(
                line,
                "het_hieu_luc_tu",
                _("must be after hieu_luc_tu (%(start)s)") % {"start": f"{valid_from:%d/%m/%Y}"},
            )
        )
    online, limit = values["online_time_limit"], values["time_limit"]
    if online is not None and online > limit:
        errors.append(
            RowError(
                line,
                "thoi_han_truc_tuyen",
                _("the online time limit (%(online)s) is longer than thoi_han (%(limit)s)")
                % {"online": online, "limit": limit},
            )
        )
    if not values["agency_code"] and not values["competent_body"]:
        errors.append(
            RowError(line, "co_quan_thuc_hien", _("give ma_co_quan or co_quan_thuc_hien"))
        )
    return errors


# ---------------------------------------------------------------- writing values


def format_fees(fees: tuple[Fee, ...]) -> str:
    if not fees:
        return "0"
    if len(fees) == 1 and not fees[0].label:
        return str(fees[0].amount)
    return "; ".join(f"{fee.label}={fee.amount}" for fee in fees)


def format_components(components: tuple[Component, ...]) -> str:
    return "; ".join(
        f"{c.name} [{c.originals}/{c.certified_copies}/{c.photocopies}]" for c in components
    )


def row_cells(row: ProcedureRow) -> list[str]:
    """The row as the file's cells, in COLUMNS order."""
    return [
        row.code,
        row.name,
        row.field_code,
        row.field_name,
        LEVEL_OUT[ProcedureLevel(row.level)],
        row.agency_code,
        row.competent_body,
        str(row.time_limit),
        UNIT_OUT[LimitUnit(row.time_limit_unit)],
        "" if row.online_time_limit is None else str(row.online_time_limit),
        format_fees(row.fees),
        "có" if row.is_certification else "không",
        ONLINE_OUT[OnlineLevel(row.online_level)],
        format_components(row.components),
        "" if row.valid_from is None else f"{row.valid_from:%d/%m/%Y}",
        "" if row.valid_to is None else f"{row.valid_to:%d/%m/%Y}",
    ]


# ---------------------------------------------------------------- reading files


def _file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FileFormatError(
            [RowError(None, None, _("%(name)s: use a .csv or .xlsx file") % {"name": path.name})]
        )
    return suffix[1:]


def _cell_text(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        if column == "ma_thu_tuc":
            # Excel turned 1.000650 into the number 1.00065; national codes have six decimals.
            return f"{value:.6f}"
        return str(int(value)) if value.is_integer() else str(value)
    # Our own export quoted text that would run as a formula ("'=…"); read back what it was.
    return restore_value(str(value))


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: text}) for every non-empty data row; header problems raise."""
    _file_kind(path)
    if not path.is_file():
        raise FileFormatError([RowError(None, None, _("%(name)s: no such file") % {"name": path})])
    # The size is checked before the bytes are read (settings.MOTCUA_IMPORT, docs/limits.md).
    return read_table(read_file_bytes(path), path.name, columns=COLUMNS, cell_text=_cell_text)


# ---------------------------------------------------------------- writing files


def write_file(path: Path, rows: list[ProcedureRow]) -> None:
    """CSV (UTF-8 with a BOM, so Excel opens it as UTF-8) or XLSX, by the file's extension."""
    kind = _file_kind(path)
    table = [row_cells(row) for row in rows]
    if kind == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            write_csv(handle, COLUMNS, table)  # no cell runs as a formula
        return

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Thủ tục hành chính"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(vertical="center")
    for cells in table:
        append_row(sheet, cells)  # text, never a formula
    # Every cell is text, so Excel cannot turn 1.000650 into a number.
    for column, width in zip(
        "ABCDEFGHIJKLMNOP",
        (12, 60, 14, 30, 10, 14, 30, 8, 14, 10, 30, 10, 12, 60, 12, 12),
        strict=True,
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    workbook.save(path)
