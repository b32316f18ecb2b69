"""``motcua catalog import`` within the import limits (issue 16): over a limit, the file is
refused with the limit named and the catalogue is left as it was."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.fileformat import COLUMNS
from motcua.catalog.models import Procedure
from motcua.catalog.tests.factories import row, write_csv
from motcua.lib.tests.hostile import streamed_xlsx


def refusal(path) -> str:
    before = Procedure.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("catalog", "import", str(path), stdout=StringIO())
    assert Procedure.objects.count() == before, "a refused file changes nothing"
    return str(error.value)


@pytest.mark.django_db
def test_a_csv_over_the_row_limit_is_refused(agencies, tmp_path, settings):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "MAX_ROWS": 50}
    rows = [row(ma_thu_tuc=f"1.{n:06d}", ten_thu_tuc=f"Thủ tục {n}") for n in range(51)]
    assert refusal(write_csv(tmp_path / "c.csv", rows)).splitlines()[-1].strip() == (
        "dòng 52: tệp có hơn 50 dòng dữ liệu, mức tối đa của một lần nhập: "
        "hãy chia thành các tệp nhỏ hơn"
    )
    # Fifty rows are imported.
    fifty = write_csv(tmp_path / "d.csv", rows[:50])
    call_command("catalog", "import", str(fifty), stdout=StringIO())
    assert Procedure.objects.count() == 50


@pytest.mark.django_db
def test_a_workbook_of_two_million_rows_is_refused_at_the_row_limit(agencies, tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_bytes(streamed_xlsx(list(COLUMNS), 2_000_000))
    assert refusal(path).splitlines()[-1].strip() == (
        "dòng 20002: tệp có hơn 20.000 dòng dữ liệu, mức tối đa của một lần nhập: "
        "hãy chia thành các tệp nhỏ hơn"
    )


@pytest.mark.django_db
def test_many_bad_rows_stop_at_the_first_problems(agencies, tmp_path, settings):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "MAX_ERRORS": 3}
    rows = [row(ma_thu_tuc=f"1.{n:06d}", thoi_han="0") for n in range(40)]
    lines = refusal(write_csv(tmp_path / "c.csv", rows)).splitlines()
    assert [line.split(",", 1)[0].strip() for line in lines[1:4]] == ["dòng 2", "dòng 3", "dòng 4"]
    assert lines[-1].strip() == (
        "đã dừng kiểm tra sau 3 lỗi đầu tiên: sửa các lỗi này rồi nhập lại tệp"
    )
    assert len(lines) == 5
