"""The indicator import, by page and by command, within the import limits (issue 16): a
hostile workbook is refused with the limit named and nothing recorded."""

from __future__ import annotations

import io
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from motcua.lib.tests.hostile import streamed_xlsx
from motcua.steering.models import IndicatorValue
from motcua.steering.tests.conftest import signed_in
from motcua.steering.tests.test_import import GOOD_ROWS, csv_bytes, refused

PAGE = "/chi-dao/chi-tieu/tai-len/"
ROW_LIMIT = (
    "dòng 20002: tệp có hơn 20.000 dòng dữ liệu, mức tối đa của một lần nhập: "
    "hãy chia thành các tệp nhỏ hơn"
)


def import_as_the_city_leader(path) -> None:
    """The import command run on the file for the city by its leader."""
    call_command(
        "steering",
        "import",
        str(path),
        "--unit",
        "058",
        "--user",
        "lanhdao.thanhpho",
        stdout=StringIO(),
    )


@pytest.fixture(scope="module")
def hostile() -> bytes:
    """A real header, then 2.000.000 one-cell rows, no <dimension>: about 290 KB."""
    return streamed_xlsx(["ma_chi_tieu", "den_ngay", "tu_so"], 2_000_000)


@pytest.mark.django_db
def test_the_page_refuses_two_million_rows_at_the_row_limit(steering_world, hostile):
    before = IndicatorValue.objects.count()
    response = signed_in("city_leader").post(
        PAGE, {"unit": "058", "file": SimpleUploadedFile("chi-tieu.xlsx", hostile)}
    )
    assert response.status_code == 200
    assert response.context["errors"] == [ROW_LIMIT]
    assert ROW_LIMIT in response.content.decode()
    assert IndicatorValue.objects.count() == before


@pytest.mark.django_db
def test_the_command_refuses_two_million_rows_at_the_row_limit(steering_world, hostile, tmp_path):
    path = tmp_path / "chi-tieu.xlsx"
    path.write_bytes(hostile)
    before = IndicatorValue.objects.count()
    with pytest.raises(CommandError) as error:
        import_as_the_city_leader(path)
    assert ROW_LIMIT in str(error.value)
    assert IndicatorValue.objects.count() == before


@pytest.mark.django_db
def test_the_command_refuses_a_file_over_the_byte_limit_before_reading_it(
    steering_world, tmp_path, settings
):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "MAX_FILE_BYTES": 1024 * 1024}
    path = tmp_path / "lon.csv"
    path.write_bytes(csv_bytes(*GOOD_ROWS * 14_000))
    with pytest.raises(CommandError) as error:
        import_as_the_city_leader(path)
    assert re.fullmatch(
        r"lon\.csv nặng \d+,\d MB: tệp nhập dữ liệu tối đa 1 MB", str(error.value)
    ), str(error.value)


@pytest.mark.django_db
def test_many_bad_rows_stop_at_the_first_problems_and_say_so(steering_world, city):
    bad = "digital_signature;058;;30/06/2024;abc;24.007;"
    errors = refused(csv_bytes(*[bad] * 500), "sai.csv", city)
    assert len(errors) == 51
    assert errors[0].startswith("dòng 2, cột tu_so: ")
    assert errors[49].startswith("dòng 51, cột tu_so: ")
    assert errors[-1] == ("đã dừng kiểm tra sau 50 lỗi đầu tiên: sửa các lỗi này rồi nhập lại tệp")


@pytest.mark.django_db
def test_a_chunked_upload_within_the_limit_is_imported(steering_world):
    """A body sent chunked (no Content-Length) is read up to the limit, then given to Django."""
    body = encode_multipart(
        BOUNDARY,
        {"unit": "058", "file": SimpleUploadedFile("quy-2.csv", csv_bytes(*GOOD_ROWS))},
    )
    response = signed_in("city_leader").generic(
        "POST",
        PAGE,
        b"",
        CONTENT_TYPE=MULTIPART_CONTENT,
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert response.context["report"]["recorded"] == "3"
    assert IndicatorValue.objects.filter(source_file="quy-2.csv").count() == 3
