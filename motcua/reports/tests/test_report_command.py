"""`motcua report` on the Bắc Kạn 2024 scenario: the seed's figures, drill-downs, bad input."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.dossiers.models import Dossier

pytestmark = pytest.mark.django_db

SEED = ("--unit", "058", "--from", "01/01/2024", "--to", "22/05/2024")


def run(*args):
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_the_text_report_shows_the_seed_figures_in_the_seed_phrasing(bac_kan_2024):
    text = run(*SEED)
    for phrase in (
        "Tổng số hồ sơ tiếp nhận: 1.608 (trong đó: Trực tuyến 1.342, trực tiếp 266)",
        "từ kỳ trước chuyển sang: 39",
        "Đã giải quyết: 1.604 (trước hạn và đúng hạn 1.599, quá hạn 05)",
        "Đang giải quyết: 43 (trong hạn 43, quá hạn 0)",
        "Thanh toán trực tuyến: 508/1.501 chiếm 33,84%",
        "Tỷ lệ số hóa hồ sơ: 1.238/1.608 chiếm 77%",
        "Chứng thực điện tử: 103/412 chiếm 25%",
        "chiếm 100%",
        "cấp thành phố 189/257 chiếm 73,54%; cấp xã 75/114 chiếm 65,79%",
        "Cân đối: từ kỳ trước 39 + tiếp nhận 1.608 = đã giải quyết 1.604",
    ):
        assert phrase in text, phrase


def test_the_json_report_balances(bac_kan_2024):
    data = json.loads(run(*SEED, "--format", "json"))
    figures = data["figures"]
    assert (figures["received"], figures["resolved_late"], figures["pending"]) == (1608, 5, 43)
    assert data["online_services"] == {
        "district": {"online": 189, "in_force": 257},
        "commune": {"online": 75, "in_force": 114},
    }
    assert data["balanced"] is True


def test_a_drill_down_lists_exactly_the_dossiers_counted(bac_kan_2024):
    data = json.loads(run(*SEED, "--drill", "resolved_late", "--format", "json"))
    assert len(data["dossiers"]) == 5
    late = Dossier.objects.filter(code__in=data["dossiers"])
    assert {d.timeliness for d in late} == {"late"}
    pending = json.loads(run(*SEED, "--drill", "pending", "--format", "json"))["dossiers"]
    assert len(pending) == 43


def test_a_successor_unit_reports_its_predecessors_dossiers(bac_kan_2024):
    # Phường Bắc Kạn (01843 from 01/07/2025) = Sông Cầu + Phùng Chí Kiên + Xuất Hóa + Nông Thượng.
    merged = json.loads(
        run("--unit", "01843", "--from", "01/01/2024", "--to", "31/12/2025", "--format", "json")
    )
    parts = 0
    for code in ("01837", "01843", "01855", "01852"):
        part = json.loads(
            run("--unit", code, "--from", "01/01/2024", "--to", "30/06/2025", "--format", "json")
        )
        parts += part["figures"]["received"]
    assert merged["figures"]["received"] == parts > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--unit", "99999", "--from", "01/01/2024", "--to", "22/05/2024"), "--unit:"),
        (
            ("--unit", "058", "--from", "32/01/2024", "--to", "22/05/2024"),
            "--from: 32/01/2024 không",
        ),
        (("--unit", "058", "--from", "01/01/1999", "--to", "22/05/2024"), "--from: 01/01/1999 nằm"),
        (("--unit", "058", "--from", "22/05/2024", "--to", "01/01/2024"), "--to:"),
        (("--unit", "058", "--period", "week:2024"), "--period:"),
        (("--unit", "058"), "--from"),
        ((*SEED, "--format", "docx"), "--format:"),
        (("--from", "01/01/2024", "--to", "22/05/2024"), "--unit:"),
        ((*SEED, "--drill", "everything"), "--drill:"),
    ],
)
def test_it_refuses_bad_input_naming_the_option(bac_kan_world, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("by", ["unit", "field"])
def test_form_06a_reads_back_with_rows_adding_up_to_the_totals(bac_kan_2024, tmp_path, by):
    from openpyxl import load_workbook

    path = tmp_path / "bieu-06a.xlsx"
    out = run(*SEED, "--format", "xlsx", "--output", str(path), "--by", by)
    assert str(path) in out
    sheet = load_workbook(path).active
    assert sheet["A1"].value.startswith("Biểu số II.06a/VPCP/KSTT")
    assert "Từ ngày 01/01/2024 đến ngày 22/05/2024" in sheet["A2"].value
    rows = [list(r) for r in sheet.iter_rows(min_row=7, values_only=True)]
    total = rows[-1]
    assert total[1] == "Tổng cộng"
    # (3) received 1.608 + carried over 39; (7) resolved; (10) late; (11) pending; (13) overdue
    assert (total[2], total[3], total[4], total[5]) == (1647, 1342, 266, 39)
    assert (total[6], total[9], total[10], total[12], total[13]) == (1604, 5, 43, 0, 0)
    assert total[6] == total[7] + total[8] + total[9]
    assert total[2] == total[6] + total[10] + total[13]  # the balance, column by column
    for column in range(2, 14):
        assert sum(r[column] for r in rows[:-1]) == total[column], column
    if by == "unit":
        assert [r[1] for r in rows[:3]] == [
            "Thành phố Bắc Kạn",
            "Phường Nguyễn Thị Minh Khai (01834)",
            "Phường Sông Cầu (01837)",
        ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xlsx"), "--output:"),
        (("--format", "xlsx", "--output", "/nonexistent/dir/x.xlsx"), "--output:"),
        (("--format", "xlsx", "--output", "x.csv"), "--output:"),
        (("--format", "xlsx", "--output", "x.xlsx", "--by", "week"), "--by:"),
    ],
)
def test_it_refuses_a_bad_xlsx_request(bac_kan_world, args, message):
    with pytest.raises(CommandError) as error:
        run(*SEED, *args)
    assert str(error.value).startswith(message)


def test_verify_agrees_then_finds_a_damaged_ledger_and_rebuild_repairs_it(bac_kan_2024):
    from motcua.dossiers.models import DayFigure

    assert "agree" in run("verify", *SEED) or "khớp" in run("verify", *SEED)
    row = DayFigure.objects.filter(figure="received").order_by("day").last()
    row.n += 3
    row.save()
    with pytest.raises(CommandError, match="rebuild"):
        run("verify", *SEED)
    run("rebuild", "--unit", "058")
    run("verify", *SEED)  # raises if anything still disagrees


def test_pdf_and_briefing_from_the_command(bac_kan_2024, tmp_path):
    path = tmp_path / "bieu-06a.pdf"
    run(*SEED, "--format", "pdf", "--output", str(path))
    assert path.read_bytes().startswith(b"%PDF")
    text = run(*SEED, "--format", "briefing")
    for number in ("1.608 (trong đó: Trực tuyến 1.342, trực tiếp 266)", "quá hạn 05", "33,84%"):
        assert number in text


def test_a_leader_signs_and_a_correction_is_restated(bac_kan_2024):
    from motcua.accounts.choices import Role
    from motcua.accounts.services import role_grant, user_create_or_update
    from motcua.units.models import AdministrativeUnit

    city = AdministrativeUnit.objects.get(code="058")
    leader = user_create_or_update(username="chutich", full_name="Hoàng Văn Chủ")
    role_grant(user=leader, role=Role.LEADER, unit=city)
    clerk = user_create_or_update(username="vanthu", full_name="Vân Thư")
    role_grant(user=clerk, role=Role.CLERK, unit=city)
    with pytest.raises(CommandError, match="--user:"):
        run("sign", *SEED)
    with pytest.raises(CommandError, match="actor"):
        run("sign", *SEED, "--user", "vanthu")
    assert "Hoàng Văn Chủ" in run("sign", *SEED, "--user", "chutich")
    with pytest.raises(CommandError, match="period"):
        run("sign", *SEED, "--user", "chutich")
    with pytest.raises(CommandError, match="không có gì để điều chỉnh"):  # nothing changed
        run("restate", *SEED, "--user", "chutich", "--reason", "Điều chỉnh")
    assert "received: 1608 = 1608" in run("signed", *SEED)


def test_verify_names_a_damaged_pending_tally_and_rebuild_repairs_it(bac_kan_2024):
    from motcua.dossiers.models import PendingTally

    run("verify", *SEED)
    row = PendingTally.objects.order_by("pk").first()
    assert row is not None  # the scenario leaves dossiers pending with a running clock
    row.n += 2
    row.save()
    out = StringIO()
    with pytest.raises(CommandError, match="1 pending tally rows|1 dòng bảng đếm"):
        call_command("report", "verify", *SEED, stdout=out)
    # The row named with its sum and the dossiers' count: two apart.
    stored, counted = map(int, re.findall(r"(?:stored|ghi) (\d+), \D+ (\d+)", out.getvalue())[0])
    assert stored - counted == 2
    run("rebuild", "--unit", "058")
    run("verify", *SEED)
