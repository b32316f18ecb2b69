"""Form II.06a as PDF on the Bắc Kạn 2024 scenario, read back with pypdf and pdftotext."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pypdf import PdfReader

from motcua.core.metrics import Period
from motcua.documents.tests.tools import pdftotext
from motcua.lib.formatting import format_number, nfc
from motcua.reports.pdf import write_form_06a_pdf
from motcua.reports.selectors import Bucket, report_for, report_rows
from motcua.reports.xlsx import FORM_TITLE, TOTAL_LABEL, column_values
from motcua.units.selectors import unit_at

pytestmark = pytest.mark.django_db

SEED = Period(date(2024, 1, 1), date(2024, 5, 22))
# One figure as the form writes it: 1.647, 5, 0 (never padded).
FIGURE = re.compile(r"^\d{1,3}(\.\d{3})*$")


@pytest.fixture(scope="module")
def seed(bac_kan_2024, django_db_blocker):
    with django_db_blocker.unblock():
        unit = unit_at("058", SEED.end)
        report = report_for(unit, SEED)
        rows = {by: report_rows(unit, SEED, by) for by in ("unit", "field")}
    return report, rows


@pytest.fixture(scope="module", params=["unit", "field"])
def form(request, seed, tmp_path_factory):
    report, rows = seed
    path = tmp_path_factory.mktemp("pdf") / f"bieu-06a-{request.param}.pdf"
    write_form_06a_pdf(path, report, rows[request.param])
    return path, report, rows[request.param]


def pypdf_text(path):
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def layout_text(path):
    return pdftotext("-layout", str(path), "-")


def table_lines(text):
    """(number, figures) for each data row and (None, figures) for the totals row."""
    found = []
    for line in text.splitlines():
        tokens = line.split()
        if len(tokens) < 13 or not all(FIGURE.match(t) for t in tokens[-12:]):
            continue
        if line.strip().startswith(TOTAL_LABEL):
            found.append((None, tokens[-12:]))
        elif tokens[0].isdigit():
            found.append((int(tokens[0]), tokens[-12:]))
    return found


def test_the_totals_row_shows_the_seed_figures(form):
    path, report, _rows = form
    totals = [figures for number, figures in table_lines(layout_text(path)) if number is None]
    early, on_time = report[Bucket.RESOLVED_EARLY], report[Bucket.RESOLVED_ON_TIME]
    assert early + on_time == 1599
    # (3) received + carried over, (4) online, (5) in person, (6) carried over, (7) resolved,
    # (8) early, (9) on time, (10) late, (11) pending, (12) within time, (13) overdue, ended
    assert totals == [
        [
            "1.647",
            "1.342",
            "266",
            "39",
            "1.604",
            format_number(early),
            format_number(on_time),
            "5",
            "43",
            "43",
            "0",
            "0",
        ]
    ]


def test_every_row_reads_back_and_the_rows_add_up_to_the_totals(form):
    path, report, rows = form
    lines = table_lines(layout_text(path))
    numbered = [figures for number, figures in lines if number is not None]
    assert [number for number, _ in lines] == [*range(1, len(rows) + 1), None]
    for row, figures in zip(rows, numbered, strict=True):
        assert figures == [format_number(v) for v in column_values(row)], row.label
    as_ints = [[int(f.replace(".", "")) for f in figures] for figures in numbered]
    assert [sum(column) for column in zip(*as_ints, strict=True)] == column_values(report)
    assert len(rows) > 1


def test_pypdf_reads_back_the_title_period_labels_and_figures(form):
    path, _report, rows = form
    text = pypdf_text(path)
    flat = " ".join(text.split())
    assert f"{FORM_TITLE}: THÀNH PHỐ BẮC KẠN" in flat
    assert "01/01/2024" in flat
    assert "22/05/2024" in flat
    # the balance line: carried over 39 + received 1.608 = resolved 1.604 + 0 + pending 43
    for figure in ("39", "1.608", "1.342", "266", "1.604", "43", "1.647"):
        assert re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d.])", flat), figure
    for row in rows:
        assert " ".join(row.label.split()) in flat, row.label
    assert text == nfc(text)


def test_the_unit_rows_keep_their_diacritics(seed, tmp_path):
    report, rows = seed
    path = tmp_path / "bieu-06a.pdf"
    write_form_06a_pdf(path, report, rows["unit"])
    flat = " ".join(pypdf_text(path).split())
    layout = layout_text(path)
    for name in ("Thành phố Bắc Kạn", "Phường Đức Xuân (01840)", "Xã Dương Quang"):
        assert name in flat, name
        assert name in layout, name
    assert [row.label for row in rows["unit"]][:1] == ["Thành phố Bắc Kạn"]


def test_the_same_report_gives_the_same_bytes_on_landscape_a4(seed, tmp_path):
    report, rows = seed
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    write_form_06a_pdf(first, report, rows["field"])
    write_form_06a_pdf(second, report, rows["field"])
    assert first.read_bytes() == second.read_bytes()
    box = PdfReader(first).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
