"""The Decree 30/2020 PDF layer (§9), read back with pypdf and poppler's pdftotext."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from motcua.documents.pdf import (
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MOTTO,
    NATIONAL_TITLE,
    Cell,
    Document,
    long_date,
    place_and_date_text,
)
from motcua.documents.tests.tools import pdftotext

MM = 72 / 25.4  # points per millimetre
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def words(path, page):
    """(x_min, y_min, x_max, y_max, text) of every word on ``page`` (1-based), in points."""
    html = pdftotext("-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    return [(*map(float, m.groups()[:4]), m.group(5)) for m in WORD.finditer(html)]


def long_table(orientation="portrait", rows=80, created=None):
    """A document whose table runs over several pages."""
    document = Document(orientation=orientation, title="Sổ theo dõi", created=created or _fixed())
    document.add_page()
    document.national_title()
    document.place_and_date("Bắc Kạn", date(2026, 2, 5))
    table = [
        [Cell("TT", rowspan=2), Cell("Hồ sơ", colspan=2), Cell("Ghi chú", rowspan=2)],
        ["Mã hồ sơ", "Người nộp"],
    ]
    for number in range(1, rows + 1):
        table.append([str(number), f"H58.01-{number:06d}", "Nguyễn Thị Ánh", "đúng hạn"])
    document.grid(table, col_widths=[1, 4, 4, 3], heading_rows=2, align=["C", "L", "L", "L"])
    return document


def _fixed():
    return datetime(2020, 3, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (date(2026, 1, 1), "ngày 01 tháng 01 năm 2026"),
        (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (date(2026, 10, 15), "ngày 15 tháng 10 năm 2026"),
        (date(2024, 12, 31), "ngày 31 tháng 12 năm 2024"),
    ],
)
def test_dates_take_leading_zeros_for_days_1_to_9_and_months_1_and_2(day, expected):
    assert long_date(day) == expected


def test_the_place_and_date_line_is_nfc_whatever_it_is_given():
    decomposed = unicodedata.normalize("NFD", "Bắc Kạn")
    line = place_and_date_text(decomposed, date(2026, 2, 5))
    assert line == "Bắc Kạn, ngày 05 tháng 02 năm 2026"
    assert unicodedata.is_normalized("NFC", line)


@pytest.mark.parametrize(
    ("orientation", "size"), [("portrait", (595, 842)), ("landscape", (842, 595))]
)
def test_pages_are_a4_and_text_stays_inside_the_decree_margins(tmp_path, orientation, size):
    path = tmp_path / "doc.pdf"
    long_table(orientation).save(path)
    reader = PdfReader(path)
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size
    width = size[0]
    for number in range(1, len(reader.pages) + 1):
        body = [w for w in words(path, number) if w[1] >= MARGIN_TOP * MM]
        assert min(w[0] for w in body) >= MARGIN_LEFT * MM
        assert max(w[2] for w in body) <= width - MARGIN_RIGHT * MM


def test_page_numbers_are_centred_in_the_top_margin_from_page_two(tmp_path):
    path = tmp_path / "doc.pdf"
    long_table("landscape").save(path)
    pages = len(PdfReader(path).pages)
    assert pages >= 3
    centre = (MARGIN_LEFT + (297 - MARGIN_LEFT - MARGIN_RIGHT) / 2) * MM
    assert [w for w in words(path, 1) if w[3] <= MARGIN_TOP * MM] == []
    for number in range(2, pages + 1):
        in_margin = [w for w in words(path, number) if w[3] <= MARGIN_TOP * MM]
        assert [w[4] for w in in_margin] == [str(number)]
        x_min, _y, x_max, _y2, _text = in_margin[0]
        assert abs((x_min + x_max) / 2 - centre) < 1


def test_the_table_headings_repeat_on_every_page(tmp_path):
    path = tmp_path / "doc.pdf"
    long_table().save(path)
    reader = PdfReader(path)
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) >= 2
    for text in texts:
        assert "Mã hồ sơ" in text
        assert "Người nộp" in text
    everything = "\n".join(texts)
    for number in (1, 40, 80):
        assert f"H58.01-{number:06d}" in everything
    assert everything.count("Nguyễn Thị Ánh") == 80


def test_national_title_motto_and_place_and_date_read_back(tmp_path):
    path = tmp_path / "doc.pdf"
    long_table().save(path)
    first = PdfReader(path).pages[0].extract_text()
    assert NATIONAL_TITLE in first
    assert MOTTO in first
    assert "Bắc Kạn, ngày 05 tháng 02 năm 2026" in first
    layout = pdftotext("-layout", "-f", "1", "-l", "1", str(path), "-")
    lines = [line.strip() for line in layout.splitlines() if line.strip()]
    assert lines[:3] == [NATIONAL_TITLE, MOTTO, "Bắc Kạn, ngày 05 tháng 02 năm 2026"]


def test_every_font_is_the_embedded_liberation_serif(tmp_path):
    path = tmp_path / "doc.pdf"
    long_table().save(path)
    fonts = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
            assert (
                "/FontFile2"
                in font.get_object()["/DescendantFonts"][0]
                .get_object()["/FontDescriptor"]
                .get_object()
            )
    # regular (table, place line is italic), bold (title, headings), italic (date)
    assert fonts == {
        "/MPDFAA+LiberationSerif",
        "/MPDFAA+LiberationSerifBold",
        "/MPDFAA+LiberationSerifItalic",
    }


def test_decomposed_input_comes_out_as_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Phường Đức Xuân, Thành phố Bắc Kạn")
    assert nfd != unicodedata.normalize("NFC", nfd)
    document = Document(title=nfd)
    document.add_page()
    document.text_line(nfd)
    path = tmp_path / "doc.pdf"
    document.save(path)
    reader = PdfReader(path)
    text = reader.pages[0].extract_text()
    assert "Phường Đức Xuân, Thành phố Bắc Kạn" in text
    assert unicodedata.is_normalized("NFC", text)
    assert reader.metadata.title == "Phường Đức Xuân, Thành phố Bắc Kạn"


def test_the_same_input_gives_the_same_bytes(tmp_path):
    first, second = long_table().to_bytes(), long_table().to_bytes()
    assert first == second
    assert b"/CreationDate (D:20200305000000Z" in first
    assert b"/Producer (motcua)" in first
    # the date is really in the output (and in its /ID): another date, other bytes
    assert long_table(created=datetime(2024, 5, 22, tzinfo=UTC)).to_bytes() != first
