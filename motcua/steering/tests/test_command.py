"""``motcua steering``: the indicators table, imports, targets, snapshots and groups."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.steering import definitions as codes
from motcua.steering.models import IndicatorTarget, IndicatorValue

from .test_import import GOOD_ROWS, csv_bytes


def run(*args):
    out = StringIO()
    call_command("steering", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_indicators_print_the_seeds_figures_in_vietnamese_format(steering_world):
    text = run("indicators", "--unit", "058", "--on", "22/05/2024")
    assert "Thành phố Bắc Kạn (058)" in text
    assert "22/05/2024" in text
    for figure in ("25.328", "1.459/24.007 = 6,08%", "11.152/12.064 = 92,44%", "8/8 = 100%"):
        assert figure in text
    assert "189/257 = 73,54%" in text  # the catalogue's online services, computed
    assert " 100%" in text  # the province's targets
    assert " 20%" in text


@pytest.mark.django_db
def test_groups_print_the_counts_by_level(steering_world):
    lines = run("groups", "--unit", "058").splitlines()
    counts = [line.split(": ", 1)[1] for line in lines[1:4]]
    numbers = [tuple(int(n) for n in part.split() if n.isdigit()) for part in counts]
    assert numbers == [(1, 13), (8, 56), (117, 702)]
    assert [int(n) for n in lines[4].split() if n.isdigit()] == [126, 771]


@pytest.mark.django_db
def test_import_records_a_file_and_refuses_a_bad_one(steering_world, tmp_path):
    good = tmp_path / "quy2.csv"
    good.write_bytes(csv_bytes(*GOOD_ROWS))
    before = IndicatorValue.objects.count()
    text = run("import", str(good), "--unit", "058", "--user", "lanhdao.thanhpho")
    assert text.startswith("3 ")
    assert IndicatorValue.objects.count() == before + 3

    bad = tmp_path / "sai.csv"
    bad.write_bytes(csv_bytes("digital_signature;058;;30/06/2024;25.000;24.007;"))
    with pytest.raises(CommandError) as error:
        run("import", str(bad), "--unit", "058", "--user", "lanhdao.thanhpho")
    assert "dòng 2, cột tu_so" in str(error.value)
    assert IndicatorValue.objects.count() == before + 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("import", "x.csv", "--unit", "058", "--user", "khong.co"), "--user"),
        (("import", "x.csv", "--unit", "01840", "--user", "bcd.thanhpho"), "--user"),
        (("import", "x.csv", "--unit", "99999", "--user", "lanhdao.thanhpho"), "--unit"),
        (("import", "/khong/co.csv", "--unit", "058", "--user", "lanhdao.thanhpho"), "co.csv"),
        (("indicators", "--unit", "058", "--on", "31/02/2024"), "--on"),
        (("indicators", "--unit", "058", "--on", "01/03/2024", "--from", "02/03/2024"), "--from"),
        (
            ("target", "digitisation", "--unit", "058", "--year", "2024", "--value", "120"),
            "--value",
        ),
        (("target", "khong_co", "--unit", "058", "--year", "2024", "--value", "1"), "khong_co"),
        (("snapshots", "--on", "01/01/2099"), "--on"),
    ],
)
def test_bad_options_are_named(steering_world, args, option):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert option in str(error.value)


@pytest.mark.django_db
def test_target_and_definitions(steering_world):
    text = run("target", "eid_accounts", "--unit", "058", "--year", "2024", "--value", "30000")
    assert "30.000" in text
    assert IndicatorTarget.objects.get(definition__code=codes.EID_ACCOUNTS).value == 30000
    text = run("definitions")
    assert codes.DIGITISATION in text
    assert len(text.splitlines()) == 12  # eleven definitions, then how many changed: none
    assert [n for n in text.splitlines()[-1].split() if n.isdigit()] == ["0"]
