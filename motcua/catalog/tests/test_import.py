"""catalog_import: good files, versions, and every kind of bad input refused whole."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook

from motcua.catalog.choices import LimitUnit, OnlineLevel, ProcedureLevel
from motcua.catalog.fileformat import COLUMNS
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.catalog.services import CatalogImportError, catalog_import
from motcua.catalog.tests.factories import building_permit_row, row, write_csv


def snapshot() -> list[tuple[object, ...]]:
    """Everything an import could change, to prove a refused file changed nothing."""
    versions = ProcedureVersion.objects.order_by("procedure__code", "version")
    return [
        (
            v.procedure.code,
            v.version,
            v.valid_from,
            v.valid_to,
            v.name,
            v.time_limit,
            [(c.name, c.originals) for c in v.components.all()],
            [(f.label, f.amount) for f in v.fees.all()],
        )
        for v in versions
    ] + [("fields", Field.objects.count(), Procedure.objects.count())]


def refused(path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(CatalogImportError) as info:
        catalog_import(path)
    return [(e.line, e.column, str(e)) for e in info.value.errors]


@pytest.fixture
def existing(agencies, tmp_path):
    """One procedure already in the catalogue, so refusals can be shown to leave it alone."""
    catalog_import(write_csv(tmp_path / "existing.csv", [row(ma_thu_tuc="2.000908")]))
    return snapshot()


@pytest.mark.django_db
class TestGoodFiles:
    def test_it_imports_a_csv_file_with_a_bom(self, agencies, tmp_path):
        # given
        path = write_csv(
            tmp_path / "catalog.csv",
            [
                row(),
                building_permit_row(
                    le_phi="Cấp mới=75.000; Gia hạn=15000 đ",
                    muc_do_dvc="một phần",
                    thanh_phan_ho_so="Đơn đề nghị [1/0/0]\nBản vẽ thiết kế [0/0/2]; Sổ đỏ [0/1/0]",
                    hieu_luc_tu="2023-03-15",
                ),
            ],
        )

        # when
        report = catalog_import(path)

        # then
        assert report.rows == 2
        assert report.created == ["1.001193", "1.004227"]
        assert report.fields_created == ["HOTICH", "XAYDUNG"]
        v = ProcedureVersion.objects.get(procedure__code="1.004227")
        assert (v.version, v.valid_from, v.valid_to) == (1, date(2023, 3, 15), None)
        assert v.name == "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
        assert v.level == ProcedureLevel.DISTRICT
        assert v.competent_agency == agencies["PQLDT-058"]
        assert v.competent_body == "Phòng Quản lý đô thị"
        assert (v.time_limit, v.time_limit_unit, v.online_time_limit) == (
            15,
            LimitUnit.WORKING_DAYS,
            12,
        )
        assert v.time_limit_for(online=True) == (12, "working_days")
        assert v.time_limit_for(online=False) == (15, "working_days")
        assert v.online_level == OnlineLevel.PARTIAL
        assert [(f.label, f.amount) for f in v.fees.all()] == [
            ("Cấp mới", 75000),
            ("Gia hạn", 15000),
        ]
        assert [
            (c.name, c.originals, c.certified_copies, c.photocopies) for c in v.components.all()
        ] == [
            ("Đơn đề nghị", 1, 0, 0),
            ("Bản vẽ thiết kế", 0, 0, 2),
            ("Sổ đỏ", 0, 1, 0),
        ]
        free = ProcedureVersion.objects.get(procedure__code="1.001193")
        assert list(free.fees.all()) == []
        assert free.competent_agency is None
        assert free.competent_body == "UBND cấp xã"

    def test_it_imports_csv_without_bom_and_with_semicolons(self, agencies, tmp_path):
        path = write_csv(
            tmp_path / "c.csv", [row(ten_thu_tuc="Đăng ký khai tử")], bom=False, sep=";"
        )
        catalog_import(path)
        assert ProcedureVersion.objects.get().name == "Đăng ký khai tử"

    def test_it_accepts_english_values_and_certification_words(self, agencies, tmp_path):
        path = write_csv(
            tmp_path / "c.csv",
            [
                row(
                    cap_thuc_hien="commune",
                    don_vi_thoi_han="working_hours",
                    thoi_han="8",
                    chung_thuc="Có",
                    muc_do_dvc="none",
                    le_phi="10.000",
                )
            ],
        )
        catalog_import(path)
        v = ProcedureVersion.objects.get()
        assert (v.level, v.time_limit_unit, v.is_certification, v.online_level) == (
            "commune",
            "working_hours",
            True,
            "none",
        )
        assert [(f.label, f.amount) for f in v.fees.all()] == [("", 10000)]

    def test_it_imports_an_xlsx_file_with_native_cell_types(self, agencies, tmp_path):
        # given: Excel keeps numbers and dates as such, and turns 1.000650 into a number
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(list(COLUMNS))
        values = row(ma_thu_tuc="1.000650", ten_thu_tuc="Đăng ký kết hôn")
        cells = [values[c] for c in COLUMNS]
        cells[COLUMNS.index("ma_thu_tuc")] = 1.00065
        cells[COLUMNS.index("thoi_han")] = 3
        cells[COLUMNS.index("le_phi")] = 0
        cells[COLUMNS.index("hieu_luc_tu")] = datetime(2023, 1, 1)
        sheet.append(cells)
        sheet.append([None] * len(COLUMNS))  # blank rows are skipped
        path = tmp_path / "catalog.xlsx"
        workbook.save(path)

        # when
        catalog_import(path)

        # then
        v = ProcedureVersion.objects.get()
        assert (v.procedure.code, v.name, v.time_limit, v.valid_from) == (
            "1.000650",
            "Đăng ký kết hôn",
            3,
            date(2023, 1, 1),
        )

    def test_it_uses_the_default_start_for_rows_without_one(self, agencies, tmp_path):
        path = write_csv(tmp_path / "c.csv", [row(hieu_luc_tu="")])
        catalog_import(path, valid_from_default=date(2024, 2, 1))
        assert ProcedureVersion.objects.get().valid_from == date(2024, 2, 1)


@pytest.mark.django_db
class TestVersions:
    def test_it_changes_nothing_when_the_same_file_is_imported_again(self, existing, tmp_path):
        report = catalog_import(write_csv(tmp_path / "again.csv", [row(ma_thu_tuc="2.000908")]))
        assert report.unchanged == ["2.000908"]
        assert (report.created, report.new_versions, report.end_changed) == ([], [], [])
        assert snapshot() == existing

    def test_it_starts_a_new_version_when_the_content_changes(self, existing, tmp_path):
        # when: the time limit and fee change from 01/07/2024
        path = write_csv(
            tmp_path / "new.csv",
            [row(ma_thu_tuc="2.000908", thoi_han="2", le_phi="8000", hieu_luc_tu="01/07/2024")],
        )
        report = catalog_import(path)

        # then
        assert report.new_versions == ["2.000908"]
        old, new = ProcedureVersion.objects.filter(procedure__code="2.000908").order_by("version")
        assert (old.version, old.valid_from, old.valid_to, old.time_limit) == (
            1,
            date(2023, 1, 1),
            date(2024, 7, 1),
            1,
        )
        assert (new.version, new.valid_from, new.valid_to, new.time_limit) == (
            2,
            date(2024, 7, 1),
            None,
            2,
        )
        assert [f.amount for f in new.fees.all()] == [8000]
        assert list(old.fees.all()) == []

    def test_a_row_equal_to_an_older_stored_version_changes_nothing(self, existing, tmp_path):
        # given: version 2 from 01/07/2025 (the file of 2023 was imported before it)
        older = write_csv(tmp_path / "older.csv", [row(ma_thu_tuc="2.000908")])
        catalog_import(
            write_csv(
                tmp_path / "newer.csv",
                [row(ma_thu_tuc="2.000908", thoi_han="3", hieu_luc_tu="01/07/2025")],
            )
        )
        before = snapshot()

        # when: the older file is imported again
        report = catalog_import(older)

        # then: version 1 stays closed by version 2, nothing else changes
        assert report.unchanged == ["2.000908"]
        assert (report.created, report.new_versions, report.end_changed) == ([], [], [])
        assert snapshot() == before
        # but a changed row with that old start is still refused
        changed = write_csv(tmp_path / "changed.csv", [row(ma_thu_tuc="2.000908", thoi_han="5")])
        assert refused(changed)[0][1] == "hieu_luc_tu"

    def test_it_sets_the_end_date_when_a_procedure_is_abolished(self, existing, tmp_path):
        path = write_csv(
            tmp_path / "end.csv", [row(ma_thu_tuc="2.000908", het_hieu_luc_tu="01/07/2025")]
        )
        report = catalog_import(path)
        assert report.end_changed == ["2.000908"]
        v = ProcedureVersion.objects.get(procedure__code="2.000908")
        assert (v.version, v.valid_to) == (1, date(2025, 7, 1))

    def test_it_refuses_a_change_that_starts_before_the_version_in_force(self, existing, tmp_path):
        path = write_csv(
            tmp_path / "old.csv",
            [row(ma_thu_tuc="2.000908", thoi_han="2", hieu_luc_tu="01/01/2023")],
        )
        assert refused(path) == [
            (
                2,
                "hieu_luc_tu",
                "dòng 2, cột hieu_luc_tu: nội dung khác phiên bản 1 có hiệu lực từ 01/01/2023: "
                "phiên bản mới phải có hiệu lực sau ngày đó",
            )
        ]
        assert snapshot() == existing


@pytest.mark.django_db
class TestBadFiles:
    def test_it_refuses_zero_and_negative_time_limits(self, existing, tmp_path):
        path = write_csv(
            tmp_path / "bad.csv",
            [
                row(ma_thu_tuc="1.000001", thoi_han="0"),
                row(ma_thu_tuc="1.000002"),
                row(ma_thu_tuc="1.000003", thoi_han="-3", thoi_han_truc_tuyen="0"),
            ],
        )
        assert refused(path) == [
            (2, "thoi_han", "dòng 2, cột thoi_han: “0” không phải là số nguyên lớn hơn 0"),
            (4, "thoi_han", "dòng 4, cột thoi_han: “-3” không phải là số nguyên lớn hơn 0"),
            (
                4,
                "thoi_han_truc_tuyen",
                "dòng 4, cột thoi_han_truc_tuyen: “0” không phải là số nguyên lớn hơn 0",
            ),
        ]
        assert snapshot() == existing

    def test_it_refuses_unknown_agency_codes(self, existing, tmp_path):
        path = write_csv(
            tmp_path / "bad.csv",
            [row(ma_thu_tuc="1.000001", cap_thuc_hien="huyện", ma_co_quan="PXYZ-058")],
        )
        assert refused(path) == [
            (2, "ma_co_quan", "dòng 2, cột ma_co_quan: không có cơ quan nào mã PXYZ-058")
        ]
        assert snapshot() == existing

    def test_it_refuses_malformed_procedure_codes(self, existing, tmp_path):
        path = write_csv(tmp_path / "bad.csv", [row(ma_thu_tuc="1.001 193")])
        assert refused(path) == [
            (
                2,
                "ma_thu_tuc",
                "dòng 2, cột ma_thu_tuc: “1.001 193” không phải là mã thủ tục "
                "(chữ, số, . _ -; tối đa 40 ký tự)",
            )
        ]
        assert snapshot() == existing

    def test_it_refuses_duplicate_codes_naming_both_lines(self, existing, tmp_path):
        path = write_csv(
            tmp_path / "dup.csv",
            [row(ma_thu_tuc="1.000001"), row(ma_thu_tuc="1.000002"), row(ma_thu_tuc="1.000001")],
        )
        assert refused(path) == [
            (4, "ma_thu_tuc", "dòng 4, cột ma_thu_tuc: mã 1.000001 đã có ở dòng 2")
        ]
        assert snapshot() == existing

    def test_it_refuses_wrong_headers(self, existing, tmp_path):
        columns = tuple(c for c in COLUMNS if c != "le_phi") + ("ghi_chu",)
        path = write_csv(tmp_path / "hdr.csv", [row()], columns=columns)
        assert refused(path) == [
            (1, None, "dòng 1: thiếu cột: le_phi"),
            (
                1,
                None,
                "dòng 1: cột không xác định: ghi_chu (các cột cần có: " + ", ".join(COLUMNS) + ")",
            ),
        ]
        assert snapshot() == existing

    def test_it_refuses_an_empty_file(self, existing, tmp_path):
        path = tmp_path / "empty.csv"
        path.write_bytes(b"\xef\xbb\xbf")
        assert refused(path) == [(1, None, "dòng 1: thiếu dòng tiêu đề")]

    def test_it_refuses_a_file_that_is_not_utf8(self, existing, tmp_path):
        # given: Excel's "CSV" (not "CSV UTF-8") on a Vietnamese Windows writes cp1258
        path = tmp_path / "cp1258.csv"
        path.write_bytes(",".join(COLUMNS).encode() + b"\r\n" + "1.000001,Đăng".encode("cp1258"))
        assert refused(path) == [
            (
                2,
                None,
                "dòng 2: tệp không phải văn bản UTF-8 (byte 0xD0): hãy lưu lại dạng “CSV UTF-8”",
            )
        ]
        assert snapshot() == existing

    def test_it_refuses_utf16_text(self, existing, tmp_path):
        path = tmp_path / "u16.csv"
        path.write_bytes(",".join(COLUMNS).encode("utf-16"))
        assert refused(path) == [
            (None, None, "tệp là văn bản UTF-16: hãy lưu lại dạng “CSV UTF-8”")
        ]

    def test_it_refuses_other_file_types_and_broken_workbooks(self, existing, tmp_path):
        xls = tmp_path / "old.xls"
        xls.write_bytes(b"\xd0\xcf\x11\xe0")
        assert refused(xls) == [(None, None, "old.xls: chỉ nhận tệp .csv hoặc .xlsx")]
        broken = tmp_path / "broken.xlsx"
        broken.write_bytes(b"not a zip")
        assert refused(broken) == [(None, None, "broken.xlsx không phải là tệp XLSX đọc được")]
        assert snapshot() == existing

    def test_it_reports_every_bad_cell_of_every_row(self, existing, tmp_path):
        path = write_csv(
            tmp_path / "many.csv",
            [
                row(ma_thu_tuc="1.000001", cap_thuc_hien="thôn", hieu_luc_tu="31/02/2024"),
                row(ma_thu_tuc="1.000002"),
                row(
                    ma_thu_tuc="1.000003",
                    le_phi="năm mươi nghìn",
                    thanh_phan_ho_so="Tờ khai [1/0]",
                    muc_do_dvc="",
                    het_hieu_luc_tu="01/01/2022",
                ),
                row(ma_thu_tuc="1.000004", ma_linh_vuc="MOI", ten_linh_vuc=""),
                row(ma_thu_tuc="1.000005", ten_linh_vuc="Tư pháp - Hộ tịch"),
            ],
        )
        errors = refused(path)
        assert [(line, column) for line, column, _ in errors] == [
            (2, "cap_thuc_hien"),
            (2, "hieu_luc_tu"),
            (4, "le_phi"),
            (4, "muc_do_dvc"),
            (4, "thanh_phan_ho_so"),
            (5, "ten_linh_vuc"),
            (6, "ten_linh_vuc"),
        ]
        assert (
            errors[1][2]
            == "dòng 2, cột hieu_luc_tu: “31/02/2024” không phải là ngày: hãy ghi dd/mm/yyyy"
        )
        assert errors[3][2] == "dòng 4, cột muc_do_dvc: ô này không được để trống"
        assert (
            errors[5][2] == "dòng 5, cột ten_linh_vuc: lĩnh vực MOI chưa có: cần ghi tên lĩnh vực"
        )
        assert errors[6][2] == (
            "dòng 6, cột ten_linh_vuc: lĩnh vực HOTICH trong danh mục có tên “Hộ tịch”"
        )
        assert snapshot() == existing

    def test_it_refuses_an_end_before_the_start(self, existing, tmp_path):
        path = write_csv(
            tmp_path / "end.csv", [row(ma_thu_tuc="1.000001", het_hieu_luc_tu="01/01/2023")]
        )
        assert refused(path) == [
            (
                2,
                "het_hieu_luc_tu",
                "dòng 2, cột het_hieu_luc_tu: phải sau hieu_luc_tu (01/01/2023)",
            )
        ]
        assert snapshot() == existing
