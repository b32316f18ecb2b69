"""Importing values from CSV and XLSX: all or nothing, every bad row named by line and column."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from django.utils import translation
from openpyxl import Workbook

from motcua.accounts.models import User
from motcua.steering import definitions as codes
from motcua.steering.errors import ImportRefused
from motcua.steering.models import IndicatorValue
from motcua.steering.services import indicator_values_import

HEADER = "ma_chi_tieu;ma_don_vi;tu_ngay;den_ngay;tu_so;mau_so;ghi_chu"
GOOD_ROWS = [
    "eid_accounts;;01/01/2024;30/06/2024;26.001;;Công an thành phố",
    "digital_signature;058;01/01/2024;30/06/2024;1.602;24.007;",
    "fibre_households;01840;;30/06/2024;2.010;2.101;Phường Đức Xuân",
]


def csv_bytes(*rows, header=HEADER):
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def xlsx_bytes(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_file(data, name, unit):
    return indicator_values_import(
        data=data,
        name=name,
        unit=unit,
        entered_by=User.objects.get(username="lanhdao.thanhpho"),
    )


def refused(data, name, unit, language="vi"):
    """The errors of a refused file, in ``language`` ("dòng N, cột X" is the catalogue
    import's wording, already translated; the reasons are checked in English)."""
    before = IndicatorValue.objects.count()
    with pytest.raises(ImportRefused) as error, translation.override(language):
        import_file(data, name, unit)
    assert IndicatorValue.objects.count() == before, "a refused file must change nothing"
    with translation.override(language):
        return [str(e) for e in error.value.errors]


@pytest.mark.django_db
def test_a_good_csv_file_is_recorded(steering_world, city, ward):
    report = import_file(csv_bytes(*GOOD_ROWS), "chi-tieu-6-thang.csv", city)
    assert (report.rows, report.recorded, report.corrected, report.unchanged) == (3, 3, 0, 0)
    accounts = IndicatorValue.objects.get(
        definition__code=codes.EID_ACCOUNTS, unit=city, period_end__month=6
    )
    assert accounts.numerator == 26001
    assert accounts.denominator is None
    assert accounts.source_file == "chi-tieu-6-thang.csv"
    assert accounts.note == "Công an thành phố"
    assert accounts.entered_by.username == "lanhdao.thanhpho"
    fibre = IndicatorValue.objects.get(definition__code=codes.FIBRE_HOUSEHOLDS, unit=ward)
    assert (fibre.period_start, fibre.numerator, fibre.denominator) == (None, 2010, 2101)

    # The same file again changes nothing; a changed value is a correction.
    report = import_file(csv_bytes(*GOOD_ROWS), "chi-tieu-6-thang.csv", city)
    assert (report.recorded, report.unchanged) == (0, 3)
    changed = [GOOD_ROWS[0].replace("26.001", "26.050"), *GOOD_ROWS[1:]]
    report = import_file(csv_bytes(*changed), "chi-tieu-6-thang-sua.csv", city)
    assert (report.recorded, report.corrected, report.unchanged) == (1, 1, 2)
    current = IndicatorValue.objects.get(
        superseded_by__isnull=True,
        definition__code=codes.EID_ACCOUNTS,
        unit=city,
        period_end__month=6,
    )
    assert current.numerator == 26050
    assert current.supersedes == accounts


@pytest.mark.django_db
def test_a_good_xlsx_file_is_recorded(steering_world, city):
    rows = [
        ["ma_chi_tieu", "ma_don_vi", "den_ngay", "tu_so", "mau_so"],
        # Excel turns 058 into the number 58, counts into floats and dates into datetimes.
        ["mobile_coverage", 58, datetime(2024, 6, 30), 8.0, 8],
        ["agency_fibre", "058", "30/06/2024", 27, 28.0],
        [None, None, None, None, None],
    ]
    report = import_file(xlsx_bytes(rows), "chi_tieu.xlsx", city)
    assert (report.rows, report.recorded) == (2, 2)
    value = IndicatorValue.objects.get(
        definition__code=codes.AGENCY_FIBRE, unit=city, period_end__month=6
    )
    assert (value.numerator, value.denominator) == (27, 28)


@pytest.mark.django_db
def test_a_file_with_bad_rows_is_refused_whole_naming_each(steering_world, city):
    rows = [
        GOOD_ROWS[0],  # line 2: good, but not recorded either
        "digital_signature;058;01/01/2024;30/06/2024;6,08;24.007;",  # 3
        "digitisation;058;01/01/2024;30/06/2024;1.238;1.608;",  # 4: computed
        "so_tai_khoan;058;;30/06/2024;1;;",  # 5: unknown code
        "fibre_households;058;;30/06/2024;12.065;12.064;",  # 6: over its denominator
        "eid_accounts;058;;31/12/2099;1;;",  # 7: future
        "eid_accounts;01984;;30/06/2024;1;;",  # 8: Xã Đôn Phong is not in the city
        "eid_accounts;;;30/06/2024;26.002;;",  # 9: the same as line 2
        "eid_accounts;058;;;1;;",  # 10: no date
        "eid_accounts;058;;30/06/2024;1;5;",  # 11: a count has no denominator
        "mobile_coverage;01840;;30/06/2024;1;1;",  # 12: a ward is below this indicator
    ]
    errors = refused(csv_bytes(*rows), "chi-tieu.csv", city)
    assert errors[0].startswith("dòng 3, cột tu_so: ")
    assert "6,08" in errors[0]
    lines = [e.split(":", 1)[0] for e in errors]
    assert lines == [
        "dòng 3, cột tu_so",
        "dòng 4, cột ma_chi_tieu",
        "dòng 5, cột ma_chi_tieu",
        "dòng 6, cột tu_so",
        "dòng 7, cột den_ngay",
        "dòng 7, cột ma_don_vi",  # and the city was abolished by then
        "dòng 8, cột ma_don_vi",
        "dòng 9, cột ma_chi_tieu",
        "dòng 10, cột den_ngay",
        "dòng 11, cột mau_so",
        "dòng 12, cột ma_don_vi",
    ]
    assert "so_tai_khoan" in errors[2]
    assert re.search(r"\b2\b", errors[7].split(": ", 1)[1])  # the duplicate names line 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (csv_bytes(*GOOD_ROWS, header="ma_chi_tieu;den_ngay;mau_so"), "a.csv", "tu_so"),
        (csv_bytes(*GOOD_ROWS, header=HEADER + ";so_lieu"), "a.csv", "so_lieu"),
        (csv_bytes(header="ma_chi_tieu;den_ngay;tu_so;tu_so"), "a.csv", "tu_so"),
        (b"", "a.csv", "line 1"),
        (csv_bytes(header=HEADER), "a.csv", "no rows"),
        (csv_bytes(*GOOD_ROWS).decode("utf-8").encode("utf-16"), "a.csv", "UTF-16"),
        (
            (HEADER + "\r\neid_accounts;;;30/06/2024;1;;Công an\r\n").encode("cp1258"),
            "a.csv",
            "line 2",
        ),
        (b"PK not really a workbook", "a.xlsx", "a.xlsx"),
        (csv_bytes(*GOOD_ROWS), "a.txt", "a.txt"),
        (csv_bytes(GOOD_ROWS[0] + ";thừa"), "a.csv", "line 2"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(steering_world, city, data, name, expected):
    errors = refused(data, name, city, language="en")
    assert any(expected in e for e in errors), errors
