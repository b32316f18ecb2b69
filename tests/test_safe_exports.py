"""Every XLSX and CSV file motcua writes keeps text as text (issue 16, "safe outputs").

A directive titled ``=HYPERLINK("http://x","y")`` or a procedure named ``+cmd`` must reach the
leader's spreadsheet as that text, never as a formula (OWASP's CSV-injection rule, applied by
motcua/lib/spreadsheet.py). ``EXPORTS`` is the list of every writer: each is run with hostile
text in every text column it carries and read back with openpyxl (no formula cell, the text
behind a quote) or the csv module. ``test_every_writer_is_listed`` finds the modules that
create a workbook or a CSV writer, so a new export fails until it is added here.

With LibreOffice installed (CI installs it, scripts/dev.py), the leader's default downloads are
also converted by ``soffice --headless --convert-to csv``: what Calc shows is the literal text.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from motcua.catalog.fileformat import Component, Fee, ProcedureRow, read_rows, write_file
from motcua.core.metrics import Period
from motcua.directives.choices import DirectiveStatus
from motcua.directives.models import Directive, Meeting
from motcua.directives.xlsx import write_directives
from motcua.lib.spreadsheet import (
    FORMULA_TRIGGERS,
    csv_bytes,
    restore_value,
    safe_value,
)
from motcua.reports.selectors import Bucket, Report, Row
from motcua.reports.xlsx import write_form_06a, write_table
from motcua.steering.fileformat import write_template
from motcua.units.models import AdministrativeUnit, Agency

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2024, 6, 21, 17, 0, tzinfo=TZ)
# One of each trigger (and text already behind a quote), each a formula a spreadsheet would
# run as it stands; numbered per column, so each column's text is found again on its own.
PAYLOADS = [
    '=HYPERLINK("http://x/{n}","y{n}")',
    "+{n}+1000",
    "-{n}-1000",
    "@SUM({n},1000)",
    "\t={n}+1000",
    "\r={n}+1000",
    "'={n}+1000",
    "+cmd|' /C calc{n}'!A0",
]


class Hostile:
    """Hands out a different hostile text for every text column an export carries."""

    def __init__(self) -> None:
        self.given: list[str] = []

    def __call__(self) -> str:
        n = len(self.given)
        text = PAYLOADS[n % len(PAYLOADS)].format(n=n)
        self.given.append(text)
        return text


@dataclass(frozen=True)
class Export:
    """One writer: its module (where it builds the workbook or CSV) and how to run it with
    hostile text; ``write`` returns the file's bytes."""

    name: str
    module: str
    kind: str  # "xlsx" or "csv"
    write: Callable[[Hostile, Path], bytes]


def _directives(hostile: Hostile, tmp: Path) -> bytes:
    unit = AdministrativeUnit(code="058", name=hostile())
    meeting = Meeting(unit=unit, body=hostile(), title="Họp", held_on=date(2024, 5, 23))
    directives = [
        Directive(
            meeting=meeting,
            number=number,
            text=hostile(),
            unit=unit,
            agency=Agency(code="PNV-058", name=hostile()) if number == 1 else None,
            head_name=hostile(),
            deadline=datetime(2024, 6, 13, 17, 0, tzinfo=TZ),
            status=DirectiveStatus.OPEN,
        )
        for number in (1, 2)
    ]
    stream = io.BytesIO()
    write_directives(stream, directives, scope=unit.name, at=AT)
    return stream.getvalue()


def _form_06a(hostile: Hostile, tmp: Path) -> bytes:
    totals = {bucket: -1 if bucket == Bucket.ENDED else 3 for bucket in Bucket}
    rows = [Row(hostile(), totals), Row(hostile(), totals)]
    unit = AdministrativeUnit(code="058", name=hostile())
    report = Report(unit, Period(date(2024, 1, 1), date(2024, 6, 30)), totals, coverage={})
    stream = io.BytesIO()
    write_form_06a(stream, report, rows)
    return stream.getvalue()


def _drill_rows(hostile: Hostile) -> tuple[list[str], list[list[str]]]:
    # The drill-down's columns: number, code, procedure, its code, agency, received, due,
    # resolved, timeliness, status, assignee; every one text in the file.
    header = ["TT", *(f"Cột {n}" for n in range(10))]
    return header, [[str(n), *(hostile() for _ in range(10))] for n in (1, 2)]


def _drill_xlsx(hostile: Hostile, tmp: Path) -> bytes:
    header, rows = _drill_rows(hostile)
    stream = io.BytesIO()
    write_table(stream, header, rows, title="Hồ sơ")
    return stream.getvalue()


def _drill_csv(hostile: Hostile, tmp: Path) -> bytes:
    header, rows = _drill_rows(hostile)
    return csv_bytes(header, rows)


def _procedure(hostile: Hostile) -> ProcedureRow:
    return ProcedureRow(
        line=2,
        code=hostile(),
        name=hostile(),
        field_code=hostile(),
        field_name=hostile(),
        level="commune",
        agency_code=hostile(),
        competent_body=hostile(),
        time_limit=5,
        time_limit_unit="working_days",
        online_time_limit=None,
        fees=(Fee(hostile(), 50000), Fee("Bản sao", 2000)),
        is_certification=False,
        online_level="full",
        components=(Component(hostile(), 1, 0, 0),),
        valid_from=date(2024, 1, 1),
        valid_to=None,
    )


def _catalogue(kind: str) -> Callable[[Hostile, Path], bytes]:
    def write(hostile: Hostile, tmp: Path) -> bytes:
        path = tmp / f"thu-tuc.{kind}"
        write_file(path, [_procedure(hostile), _procedure(hostile)])
        return path.read_bytes()

    return write


def _steering_template(hostile: Hostile, tmp: Path) -> bytes:
    # Only the fixed header: no text from users. Listed so that a column added later is
    # checked too.
    stream = io.BytesIO()
    write_template(stream)
    return stream.getvalue()


def _two_level_basis(hostile: Hostile, tmp: Path) -> bytes:
    # The shipped basis file of the 1/7/2025 catalogue (fixed text); written as the demo does.
    from motcua.demo.catalog import write_two_level_catalog

    write_two_level_catalog(tmp / "catalogue.csv", tmp / "basis.csv")
    return (tmp / "basis.csv").read_bytes()


EXPORTS = [
    Export("directives-xlsx", "motcua/directives/xlsx.py", "xlsx", _directives),
    Export("form-06a-xlsx", "motcua/reports/xlsx.py", "xlsx", _form_06a),
    Export("drill-down-xlsx", "motcua/reports/xlsx.py", "xlsx", _drill_xlsx),
    Export("drill-down-csv", "motcua/reports/views.py", "csv", _drill_csv),
    Export("catalogue-xlsx", "motcua/catalog/fileformat.py", "xlsx", _catalogue("xlsx")),
    Export("catalogue-csv", "motcua/catalog/fileformat.py", "csv", _catalogue("csv")),
    Export("catalogue-basis-csv", "motcua/demo/catalog.py", "csv", _two_level_basis),
    Export("steering-template-xlsx", "motcua/steering/fileformat.py", "xlsx", _steering_template),
]
# Where a workbook or a CSV file is made; the one helper itself is not an export.
WRITER_RE = re.compile(r"\bWorkbook\(|\bcsv\.(writer|DictWriter)\(|\bcsv_bytes\(|\bwrite_csv\(")
HELPER = "motcua/lib/spreadsheet.py"


def read_back(kind: str, data: bytes) -> list[object]:
    """Every cell of the file, in order; for XLSX also checks no cell is a formula."""
    if kind == "csv":
        assert data.startswith("\ufeff".encode()), "CSV files carry a BOM for Excel"
        return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
    book = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [(cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
    assert formulas == [], f"formula cells: {formulas}"
    return [cell.value for cell in cells]


@pytest.mark.parametrize("export", EXPORTS, ids=[e.name for e in EXPORTS])
def test_hostile_text_comes_back_as_text(export: Export, tmp_path: Path) -> None:
    hostile = Hostile()
    values = read_back(export.kind, export.write(hostile, tmp_path))
    texts = [v for v in values if isinstance(v, str)]
    live = [t for t in texts if t.startswith(FORMULA_TRIGGERS)]
    assert live == [], f"cells a spreadsheet would run: {live}"
    if export.kind == "xlsx":
        # A carriage return comes back as written (&#13;, openpyxl with lxml) or as a line
        # feed (XML's line-end rule, without lxml): compare with both as a line feed.
        texts = [t.replace("\r", "\n") for t in texts]
    for given in hostile.given:
        if export.kind == "xlsx":
            given = given.replace("\r", "\n")
        # Each column's text is there, behind one quote where it starts its cell (form
        # II.06a's title writes the unit's name in capitals, after the form's name).
        found = [t for t in texts if given.casefold() in t.casefold()]
        assert found, f"{given!r} not found as text"
        assert all(not t.startswith(given) for t in found)
        assert any(t.startswith("'" + given) for t in found) or export.name == "form-06a-xlsx"
    if export.name == "form-06a-xlsx":  # numbers stay numbers, a negative one too
        numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        assert -1 in numbers
        assert 3 in numbers


def test_every_writer_is_listed() -> None:
    """A module that makes a workbook or a CSV file is an export: it must be in EXPORTS."""
    writers = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "motcua").rglob("*.py")
        if "tests" not in path.parts
        and str(path.relative_to(ROOT)) != HELPER
        and WRITER_RE.search(path.read_text(encoding="utf-8"))
    }
    assert writers == {export.module for export in EXPORTS}


def test_the_catalogue_export_reads_back_unchanged(tmp_path: Path) -> None:
    """The catalogue's export is also its import format: the quote comes off on import."""
    for kind in ("csv", "xlsx"):
        hostile = Hostile()
        path = tmp_path / f"thu-tuc.{kind}"
        written = [_procedure(hostile)]
        write_file(path, written)
        [(line, cells)] = read_rows(path)
        assert line == 2
        assert cells["ten_thu_tuc"] == written[0].name
        assert cells["ma_thu_tuc"] == written[0].code
        assert cells["thanh_phan_ho_so"].startswith(written[0].components[0].name)
        assert cells["le_phi"].startswith(written[0].fees[0].label)


@pytest.mark.parametrize(
    "text",
    ["=1", "+1", "-1", "@A1", "\t=1", "\r=1", "'=1", "''-x", "'", "'x", "x=1", "", "Bắc Kạn"],
)
def test_the_quote_is_added_only_where_needed_and_comes_off_exactly(text: str) -> None:
    written = safe_value(text)
    assert not str(written).startswith(FORMULA_TRIGGERS)
    assert written == (("'" + text) if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text)
    assert restore_value(str(written)) == text


def test_numbers_dates_and_empty_cells_stay_what_they_are() -> None:
    for value in (-1, -2.5, 0, date(2024, 1, 1), None, True):
        assert safe_value(value) is value


# -- LibreOffice: what Calc shows ----------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# A leader's downloads (directives, form II.06a, a figure's list) and the catalogue's CSV.
LEADER = ("directives-xlsx", "form-06a-xlsx", "drill-down-xlsx", "drill-down-csv", "catalogue-csv")
LEADER_EXPORTS = [e for e in EXPORTS if e.name in LEADER]


def soffice_csv(source: Path, out: Path) -> list[list[str]]:
    """``source`` as LibreOffice Calc computes it, saved as CSV (its first sheet)."""
    assert SOFFICE is not None
    profile = out / "profile"  # a private profile: no clash with another soffice running
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # commas, quotes, UTF-8
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = out / (source.stem + ".csv")
    return list(csv.reader(io.StringIO(converted.read_text(encoding="utf-8-sig"))))


@pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true",
    reason="LibreOffice is not installed (CI installs it: scripts/dev.py)",
)
@pytest.mark.parametrize("export", LEADER_EXPORTS, ids=[e.name for e in LEADER_EXPORTS])
def test_libreoffice_shows_the_literal_text(export: Export, tmp_path: Path) -> None:
    assert SOFFICE is not None, "CI=true: LibreOffice (soffice) must be installed"
    hostile = Hostile()
    source = tmp_path / f"in-{export.name}.{export.kind}"
    source.write_bytes(export.write(hostile, tmp_path))
    out = tmp_path / "out"
    out.mkdir()
    cells = [cell for row in soffice_csv(source, out) for cell in row]
    for given in hostile.given:
        # Calc hides the quote of a quoted text cell or shows it; either way the text is
        # there as written, and no formula ran (HYPERLINK would leave only "y", SUM a number).
        shown = [c for c in cells if given.strip().casefold() in c.casefold()]
        assert shown, f"{given!r} not shown as text; Calc shows {cells}"


@pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true",
    reason="LibreOffice is not installed (CI installs it: scripts/dev.py)",
)
def test_libreoffice_would_run_an_unguarded_formula(tmp_path: Path) -> None:
    """The check above can fail: the same text written straight into a cell (as the exports
    did before) is run by Calc, which shows the link's label and the sum."""
    from openpyxl import Workbook

    assert SOFFICE is not None, "CI=true: LibreOffice (soffice) must be installed"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([PAYLOADS[0].format(n=7), "=1+1"])
    source = tmp_path / "raw.xlsx"
    book.save(source)
    out = tmp_path / "out"
    out.mkdir()
    assert soffice_csv(source, out) == [["y7", "2"]]
