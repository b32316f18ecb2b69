"""The national catalogue pulled (LayDanhSachTTHC, LayThuTuc) from the simulator: the diff
against motcua's newest versions, then the new versions created through the catalogue's
import. Both databases."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import translation

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.tests.world import build_world
from motcua.national.services import national_catalog_apply, national_catalog_diff

pytestmark = pytest.mark.django_db


def item(code, name, days, *, online=None, fee=None, unit="Ngày làm việc", field="DATDAI"):
    ways = [
        {
            "KENH": 1,
            "THOIGIAN": [
                {
                    "THOIGIANGIAIQUYET": days,
                    "DONVITINH": unit,
                    "MOTA": "",
                    "PHILEPHI": [
                        {"MAPHILEPHI": "LP1", "SOTIEN": fee, "DONVI": "Đồng", "MOTA": "Lệ phí"}
                    ]
                    if fee
                    else [],
                }
            ],
        }
    ]
    if online is not None:
        ways.append({"KENH": 2, "THOIGIAN": [{"THOIGIANGIAIQUYET": online, "DONVITINH": unit}]})
    return {
        "MATTHC": code,
        "TENTTHC": name,
        "LINHVUCTHUCHIEN": [{"MALINHVUC": field, "TENLINHVUC": "Đất đai"}],
        "CACHTHUCTHUCHIEN": ways,
    }


@pytest.fixture
def world(db):
    return build_world()


def test_diff_then_apply_creates_new_versions(world, national_on):
    national_on.catalog(
        [
            # Same as motcua's version 1: no change.
            item("1.000001", "Chứng thực hợp đồng, giao dịch", 5),
            # Time limit 5 -> 10 days, 3 online, a fee of 50.000 đồng.
            item("1.000002", "Đăng ký biến động đất đai", 10, online=3, fee=50000),
            # Not in motcua.
            item("2.000999", "Thủ tục mới", 7),
        ]
    )
    diff = national_catalog_diff(valid_from=date(2026, 1, 1))
    assert diff.added == [("2.000999", "Thủ tục mới")]
    assert diff.removed == []
    assert [c.code for c in diff.changed] == ["1.000002"]
    changes = {what: (ours, theirs) for what, ours, theirs in diff.changed[0].changes}
    assert changes["time_limit"] == ("5", "10")
    assert changes["online_time_limit"] == ("None", "3")
    assert changes["fees"] == ("-", "Lệ phí 50.000")
    assert ProcedureVersion.objects.filter(procedure__code="1.000002").count() == 1

    report = national_catalog_apply(diff=diff)
    assert report.new_versions == ["1.000002"]
    new = ProcedureVersion.objects.get(procedure__code="1.000002", version=2)
    assert (new.time_limit, new.online_time_limit, new.valid_from) == (10, 3, date(2026, 1, 1))
    assert [f.amount for f in new.fees.all()] == [50000]
    old = ProcedureVersion.objects.get(procedure__code="1.000002", version=1)
    assert old.valid_to == date(2026, 1, 1)
    # Pulled again: nothing left to change.
    assert national_catalog_diff(valid_from=date(2026, 2, 1)).changed == []


def test_removed_procedures_and_the_command(world, national_on, capsys):
    national_on.catalog([item("1.000001", "Chứng thực hợp đồng, giao dịch (sửa)", 5)])
    with translation.override("en"):
        call_command("sync", "national", "catalog", "--diff")
    out = capsys.readouterr().out
    assert "- 1.000002" in out
    assert "~ 1.000001" in out
    assert "name: Chứng thực hợp đồng, giao dịch -> Chứng thực hợp đồng, giao dịch (sửa)" in out
    assert "0 added, 1 removed, 1 changed" in out
    assert ProcedureVersion.objects.count() == 2  # --diff writes nothing


def test_an_unknown_time_unit_is_named(world, national_on):
    national_on.catalog([item("1.000001", "X", 5, unit="tuần trăng")])
    with pytest.raises(Exception, match="DONVITINH 'tuần trăng'"):
        national_catalog_diff(valid_from=date(2026, 1, 1))
