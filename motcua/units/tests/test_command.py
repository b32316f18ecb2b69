"""``motcua units`` from the command line: output in Vietnamese, clear errors, nothing half-done."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("units", *args, stdout=out)
    return out.getvalue()


def test_it_loads_the_bac_kan_data_by_default_and_reports_counts():
    first = run("load")
    second = run("load")

    assert first.splitlines() == [
        "đơn vị hành chính: tạo mới 133, cập nhật 0, không đổi 0",
        "quan hệ kế thừa: tạo mới 10, cập nhật 0, không đổi 0",
        "cơ quan: tạo mới 44, cập nhật 0, không đổi 0",
    ]
    assert second.splitlines()[0] == "đơn vị hành chính: tạo mới 0, cập nhật 0, không đổi 133"


def test_it_refuses_a_bad_file_with_every_problem_and_loads_nothing(tmp_path):
    bad = tmp_path / "u.csv"
    bad.write_text(
        "code,name,kind,parent_code,valid_from,valid_to,legal_ref\n"
        "06,Tỉnh Bắc Kạn,province,,,30/06/2025,\n"
        "058,Thành phố Bắc Kạn,city,07,,30/06/2025,\n"
        "059,Thành phố X,city,06,,31-06-2025,\n",
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as caught:
        run("load", str(bad))

    message = str(caught.value)
    assert message.splitlines()[0] == "Không nạp gì cả; có 2 lỗi:"
    assert f"{bad}, dòng 3, cột parent_code: không có mã đơn vị 07" in message
    assert f"{bad}, dòng 4, cột valid_to: " in message
    assert AdministrativeUnit.objects.count() == 0


def test_it_prints_the_tree_on_a_date():
    run("load")

    out = run("tree", "--on", "01/07/2025")

    assert out.splitlines() == [
        "Tỉnh Thái Nguyên (19)",
        "  Phường Đức Xuân (01840) · từ 01/07/2025",
        "  Phường Bắc Kạn (01843) · từ 01/07/2025",
        "  Xã Phong Quang (01849) · từ 01/07/2025",
        "4 đơn vị",
    ]


def test_it_prints_a_subtree_by_code():
    run("load")

    lines = run("tree", "--code", "01849", "--on", "2024-05-22").splitlines()

    assert lines[0] == "Xã Dương Quang (01849) · đến 30/06/2025"
    assert lines[1] == "  Thôn Nà Pam (01849-T01) · đến 30/06/2025"
    assert lines[-1] == "11 đơn vị"


def test_it_prints_the_lineage_of_a_new_ward():
    run("load")

    out = run("lineage", "01843", "--on", "01/07/2025")

    lines = out.splitlines()
    assert lines[0] == "Phường Bắc Kạn (01843) · từ 01/07/2025 và các đơn vị đã hợp thành:"
    assert (
        "  Xã Nông Thượng (01852) · đến 30/06/2025 → Phường Bắc Kạn ngày 01/07/2025 "
        "(Sáp nhập; Nghị quyết 1683/NQ-UBTVQH15)"
    ) in lines
    assert "  12 thuộc Xã Nông Thượng (01852) · đến 30/06/2025" in lines
    assert lines[-1] == "62 đơn vị"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("tree", "--on", "32/01/2025"), "--on: '32/01/2025' không phải là ngày"),
        (("tree", "--code", "99999"), "--code: không có đơn vị hành chính mã 99999"),
        (("lineage", "01834", "--on", "01/07/2025"), "Không có đơn vị hành chính mã 01834"),
    ],
)
def test_it_explains_bad_arguments(args, message):
    run("load")

    with pytest.raises(CommandError) as caught:
        run(*args)

    assert str(caught.value).startswith(message)
