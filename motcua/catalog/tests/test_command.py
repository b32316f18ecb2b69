"""``motcua catalog``: each subcommand, and refusals as CommandError naming the place."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.tests.factories import row, write_csv


def run(*args: str) -> str:
    out = StringIO()
    call_command("catalog", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_imports_and_reports(agencies, tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [row(), row(ma_thu_tuc="1.000002", ten_thu_tuc="Đăng ký khai tử")]
    )
    assert run("import", str(path)) == (
        "2 dòng: 2 thủ tục mới, 0 phiên bản mới, 0 thay đổi ngày hết hiệu lực, 0 không đổi.\n"
    )
    assert run("import", str(path)) == (
        "2 dòng: 0 thủ tục mới, 0 phiên bản mới, 0 thay đổi ngày hết hiệu lực, 2 không đổi.\n"
    )


@pytest.mark.django_db
def test_it_refuses_a_bad_file_with_every_error(agencies, tmp_path):
    path = write_csv(
        tmp_path / "bad.csv", [row(thoi_han="0"), row(ma_thu_tuc="1.000002", ma_co_quan="X-1")]
    )
    with pytest.raises(CommandError) as info:
        run("import", str(path))
    assert str(info.value) == (
        f"Không nhập {path} (2 lỗi); danh mục không thay đổi:\n"
        "  dòng 2, cột thoi_han: “0” không phải là số nguyên lớn hơn 0\n"
        "  dòng 3, cột ma_co_quan: không có cơ quan nào mã X-1"
    )
    assert ProcedureVersion.objects.count() == 0


@pytest.mark.django_db
def test_it_refuses_a_bad_date_option(tmp_path):
    with pytest.raises(CommandError) as info:
        run("export", str(tmp_path / "x.csv"), "--on", "2024-13-01")
    assert str(info.value) == "--on: “2024-13-01” không phải là ngày: hãy ghi dd/mm/yyyy"
    with pytest.raises(CommandError) as info:
        run("list", "--level", "thôn")
    assert str(info.value).startswith("--level: “thôn” không thuộc các giá trị: province, tỉnh")


@pytest.mark.django_db
def test_it_lists_shows_and_exports(agencies, tmp_path):
    run("import", str(write_csv(tmp_path / "c.csv", [row(le_phi="Bản sao=8000")])))

    listed = run("list", "--on", "01/06/2024", "--level", "xã", "--search", "khai sinh")
    assert listed.splitlines() == [
        "1.001193   Cấp xã         Trực tuyến toàn trình  Đăng ký khai sinh",
        "1 thủ tục có hiệu lực ngày 01/06/2024; cung cấp trực tuyến: 1/1 = 100%",
    ]
    shown = run("show", "1.001193")
    assert shown.splitlines()[0] == "1.001193 — phiên bản 1: 01/01/2023 – …"
    assert "  phí, lệ phí: Bản sao: 8.000 đ" in shown.splitlines()
    assert "  – Giấy chứng sinh (bản chính 1, bản sao chứng thực 0, bản photo 0)" in shown
    assert (
        run("export", str(tmp_path / "out.xlsx"))
        == f"Đã ghi 1 thủ tục vào {tmp_path / 'out.xlsx'}.\n"
    )
    with pytest.raises(CommandError) as info:
        run("show", "9.9")
    assert str(info.value) == "không có thủ tục nào mã 9.9"
