"""catalog_export: the same format back, and export → import reproduces the catalogue."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from motcua.catalog.fileformat import COLUMNS
from motcua.catalog.models import ComponentRequirement, FeeItem, Field, Procedure, ProcedureVersion
from motcua.catalog.selectors import procedure_latest_versions
from motcua.catalog.services import catalog_export, catalog_import, version_row
from motcua.catalog.tests.factories import building_permit_row, row, write_csv


def catalogue() -> list[tuple[object, ...]]:
    return [
        (v.procedure.code, v.valid_from, v.valid_to, version_row(v).content())
        for v in procedure_latest_versions()
    ]


def empty_the_catalogue() -> None:
    ComponentRequirement.objects.all().delete()
    FeeItem.objects.all().delete()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()


@pytest.fixture
def stored(agencies, tmp_path):
    catalog_import(
        write_csv(
            tmp_path / "in.csv",
            [
                row(),
                building_permit_row(
                    le_phi="Cấp mới=75000; Gia hạn=15000",
                    chung_thuc="không",
                    muc_do_dvc="một phần",
                    thanh_phan_ho_so="Đơn đề nghị [1/0/0]; Bản vẽ; thiết kế [0/0/2]",
                    het_hieu_luc_tu="01/07/2025",
                ),
                row(
                    ma_thu_tuc="2.000815",
                    ten_thu_tuc="Chứng thực chữ ký trong các giấy tờ, văn bản",
                    ma_linh_vuc="CHUNGTHUC",
                    ten_linh_vuc="Chứng thực",
                    thoi_han="4",
                    don_vi_thoi_han="giờ làm việc",
                    le_phi="10000",
                    chung_thuc="có",
                    muc_do_dvc="không",
                    thanh_phan_ho_so="",
                ),
            ],
        )
    )
    # a second version of the first procedure
    catalog_import(write_csv(tmp_path / "v2.csv", [row(thoi_han="2", hieu_luc_tu="01/07/2024")]))
    return catalogue()


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_it_reproduces_the_catalogue_through_export_and_import(stored, tmp_path, suffix):
    # given
    path = tmp_path / f"out.{suffix}"
    assert catalog_export(path) == 3

    # when
    empty_the_catalogue()
    report = catalog_import(path)

    # then: the newest version of every procedure, as it was
    assert sorted(report.created) == ["1.001193", "1.004227", "2.000815"]
    assert catalogue() == stored


@pytest.mark.django_db
def test_it_writes_csv_with_a_bom_and_vietnamese_words(stored, tmp_path):
    path = tmp_path / "out.csv"
    catalog_export(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(COLUMNS).encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[2] == (
        "1.004227,Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ,XAYDUNG,Hoạt động xây dựng,"
        "huyện,PQLDT-058,Phòng Quản lý đô thị,15,ngày làm việc,12,Cấp mới=75000; Gia hạn=15000,"
        "không,một phần,Đơn đề nghị [1/0/0]; Bản vẽ [1/0/0]; thiết kế [0/0/2],01/01/2023,01/07/2025"
    )


@pytest.mark.django_db
def test_it_writes_xlsx_with_a_styled_header_and_text_cells(stored, tmp_path):
    path = tmp_path / "out.xlsx"
    catalog_export(path)
    sheet = load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet["A1"].font.bold is True
    assert sheet["A2"].value == "1.001193"
    assert sheet["A2"].data_type == "s"


@pytest.mark.django_db
def test_it_exports_the_versions_in_force_on_a_day(stored, tmp_path):
    path = tmp_path / "2024-01.csv"
    assert catalog_export(path, on=date(2024, 1, 15)) == 3
    first = path.read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    # version 1 (1 working day) was in force then; version 2 (2 days) from 01/07/2024
    assert (first[0], first[7], first[14], first[15]) == (
        "1.001193",
        "1",
        "01/01/2023",
        "01/07/2024",
    )
    assert catalog_export(path, on=date(2025, 7, 1)) == 2
