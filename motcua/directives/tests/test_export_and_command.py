"""The XLSX list read back, and ``motcua directives`` (list, export, remind, create, update)."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from motcua.directives.models import Directive
from motcua.directives.selectors import directives_of_unit
from motcua.directives.tests.conftest import local
from motcua.directives.tests.test_services import pdf_bytes
from motcua.directives.xlsx import COLUMNS, HEADER_ROW, write_directives

pytestmark = pytest.mark.django_db

JUNE_21 = local("21/06/2024 17:00")


def run(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("directives", *args, stdout=out)
    return out.getvalue()


def test_the_workbook_reads_back(people, scenario):
    stream = io.BytesIO()
    directives = directives_of_unit(people.city).order_by("number")
    assert write_directives(stream, directives, scope="Thành phố Bắc Kạn", at=JUNE_21) == 7
    stream.seek(0)
    sheet = load_workbook(stream).active
    assert sheet["A1"].value == "DANH SÁCH KẾT LUẬN, CHỈ ĐẠO VÀ TÌNH HÌNH THỰC HIỆN"
    assert sheet["A2"].value == "Thành phố Bắc Kạn – tính đến 17:00 21/06/2024"
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    assert headers == [header for header, _ in COLUMNS]
    assert headers[4:8] == [
        "Nội dung kết luận, chỉ đạo",
        "Cơ quan, đơn vị thực hiện",
        "Người chịu trách nhiệm",
        "Hạn hoàn thành",
    ]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    assert len(rows) == 7
    a2 = rows[1]
    assert a2[0] == 2
    assert a2[2] == datetime(2024, 5, 23)
    assert a2[3] == 2
    assert a2[4] == "Khắc phục tồn tại"
    assert a2[5] == "Phòng Nội vụ"
    assert a2[7] == datetime(2024, 6, 6)
    assert a2[8] == "Đã hoàn thành"
    assert a2[9] == datetime(2024, 6, 11)
    assert a2[10] == "Hoàn thành quá hạn"
    assert [row[10] for row in rows] == [
        "Hoàn thành đúng hạn",
        "Hoàn thành quá hạn",
        "Quá hạn",
        "Hoàn thành đúng hạn",
        "Quá hạn",
        "Trong hạn",
        "Đã hủy",
    ]
    assert rows[4][5] == "Phường Đức Xuân"
    assert rows[2][9] is None  # not completed
    date_cells = [sheet.cell(row=HEADER_ROW + 2, column=c) for c in (3, 8, 10)]
    assert {cell.number_format for cell in date_cells} == {"dd/mm/yyyy"}


def test_list_and_export_from_the_command_line(people, scenario, tmp_path):
    listing = run("list", "--unit", "058", "--at", "21/06/2024 17:00")
    assert listing.count("\n    ") == 7
    assert "7 directives of Thành phố Bắc Kạn at 17:00 21/06/2024" in listing
    overdue = run("list", "--unit", "058", "--overdue", "--at", "21/06/2024 17:00")
    assert "2 directives of" in overdue
    assert overdue.index("Nâng cao chất lượng một cửa") < overdue.index("Báo cáo 6 tháng")
    ward = run("list", "--unit", "01840", "--at", "21/06/2024 17:00")
    assert "1 directives of Phường Đức Xuân" in ward

    path = tmp_path / "ket-luan.xlsx"
    assert "2 directives written" in run(
        "export", str(path), "--unit", "058", "--overdue", "--at", "21/06/2024 17:00"
    )
    sheet = load_workbook(path).active
    assert [r[4].value for r in sheet.iter_rows(min_row=HEADER_ROW + 1)] == [
        "Nâng cao chất lượng một cửa",
        "Báo cáo 6 tháng",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("list",), "--unit: the unit's code is required"),
        (("list", "--unit", "999"), "--unit: no unit has the code '999'"),
        (("list", "--unit", "058", "--at", "21/06/2024"), "--at: '21/06/2024' is not a date"),
        (("export", "out.csv", "--unit", "058"), "is not a .xlsx file"),
        (("remind", "--at", "hôm nay"), "--at: 'hôm nay' is not a date and time"),
    ],
)
def test_bad_options_are_refused_naming_the_option(people, args, message):
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert message in str(refused.value)


def test_remind_from_the_command_line(people, scenario, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = run("remind", "--at", "21/06/2024 08:00")
        again = run("remind", "--at", "21/06/2024 09:00")
    # Overdue: 20/06 (Phòng Nội vụ: its leader narrowed to it and the city's leader) and
    # 13/06 (the ward's leader); 28/06 is not within two working days of 21/06.
    assert first.strip() == "2 reminders sent."
    assert again.strip() == "0 reminders sent."
    assert sorted(tuple(m.to) for m in mail.outbox) == [
        ("ld.city@example.vn", "tp.noivu@example.vn"),
        ("ld.ducxuan@example.vn",),
    ]


def done_by_the_head(directive: Directive, note: str, *extra: str) -> str:
    """``directives update`` by the interior's head: done, as read at version 1."""
    return run(
        "update",
        str(directive.pk),
        "--user",
        "tp.noivu",
        "--status",
        "done",
        "--note",
        note,
        "--version",
        "1",
        *extra,
    )


def test_create_and_update_from_the_command_line(people, meeting, tmp_path):
    created = run(
        "create",
        "--user",
        "ld.city",
        "--meeting",
        str(meeting.pk),
        "--text",
        "Tăng cường kiểm tra kỷ luật, kỷ cương hành chính.",
        "--agency",
        "PNV-058",
        "--head",
        "Trưởng phòng Nội vụ",
        "--deadline",
        "30/12/2099",
    )
    directive = Directive.objects.get()
    assert f"Directive #{directive.pk} assigned, deadline 17:00 30/12/2099" in created
    evidence = tmp_path / "bao-cao.pdf"
    evidence.write_bytes(pdf_bytes())
    updated = done_by_the_head(directive, "Đã kiểm tra 8 xã, phường.", "--evidence", str(evidence))
    assert "is now Done" in updated
    directive.refresh_from_db()
    assert (directive.status, directive.version) == ("done", 2)
    assert directive.updates.get().evidence_type == "application/pdf"
    with pytest.raises(CommandError) as stale:
        done_by_the_head(directive, "Lần hai")
    assert "--version: " in str(stale.value)
    assert "someone else" in str(stale.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--text", ""), "--text: this field is required"),
        (("--text", "Việc", "--days", "5"), "--working-days: the deadline "),  # 30/05/2024 passed
        (("--text", "Việc", "--deadline", "31/02/2099"), "--deadline: '31/02/2099' is not a date"),
        (("--text", "Việc", "--days", "5", "--user", "khach"), "--meeting: you may not"),
    ],
)
def test_a_bad_create_is_refused_naming_the_option(people, meeting, extra, message):
    args = ["create", "--user", "ld.city", "--meeting", str(meeting.pk), "--agency", "PNV-058"]
    args += ["--head", "Trưởng phòng", *extra]
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert message in str(refused.value)
    assert Directive.objects.count() == 0
