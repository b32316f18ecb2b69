"""Bounded input (issue 16): a body over its page's limit is refused before it is read, and the
one table reader stops at the limits of settings.MOTCUA_IMPORT with the limit named."""

from __future__ import annotations

import io
import socket
import zipfile
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import translation

from motcua.lib.limits import request_limit
from motcua.lib.tablefile import FileFormatError, read_table
from motcua.lib.tests.hostile import sheet_of_rows, streamed_xlsx, zip_bomb_xlsx

MB = 1024 * 1024
PORTAL_SUBMIT = "/dich-vu-cong/thu-tuc/1.000001/nop-truc-tuyen/"
STAFF_IMPORT = "/chi-dao/chi-tieu/tai-len/"
COLUMNS = ("ma", "ten")


class BodyMustNotBeRead(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the request body was read")

    readline = read  # type: ignore[assignment]


def post_declaring(path: str, length: int) -> object:
    return Client().generic(
        "POST",
        path,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": BodyMustNotBeRead()},
    )


def text(_column: str, value: object) -> str:
    return "" if value is None else str(value)


def refusal(data: bytes, name: str) -> list[str]:
    with pytest.raises(FileFormatError) as error, translation.override("vi"):
        read_table(data, name, columns=COLUMNS, cell_text=text)
    with translation.override("vi"):
        return [str(e) for e in error.value.errors]


# -- the request body ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PORTAL_SUBMIT, STAFF_IMPORT])
def test_a_body_over_the_limit_is_refused_from_its_declared_length_unread(path):
    response = post_declaring(path, 200 * MB)
    assert response.status_code == 413
    html = response.content.decode()
    assert "Tệp gửi lên quá lớn" in html
    assert f"tối đa {request_limit(path) // MB} MB" in html


def test_the_portal_submission_takes_more_than_a_staff_page(settings):
    assert (
        request_limit(PORTAL_SUBMIT) == settings.MOTCUA_UPLOADS["VIEW_MAX_BYTES"]["portal:submit"]
    )
    assert request_limit(STAFF_IMPORT) == settings.MOTCUA_UPLOADS["REQUEST_MAX_BYTES"]
    assert request_limit(PORTAL_SUBMIT) > request_limit(STAFF_IMPORT)
    assert request_limit("/khong-co/") == settings.MOTCUA_UPLOADS["REQUEST_MAX_BYTES"]


@pytest.mark.django_db
def test_a_staff_page_refuses_what_only_the_portal_takes():
    between = (request_limit(STAFF_IMPORT) + request_limit(PORTAL_SUBMIT)) // 2
    assert post_declaring(STAFF_IMPORT, between).status_code == 413


@pytest.mark.django_db
def test_a_chunked_body_is_refused_once_it_passes_the_limit(settings):
    settings.MOTCUA_UPLOADS = {**settings.MOTCUA_UPLOADS, "REQUEST_MAX_BYTES": MB}

    class Counted(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            assert size is not None
            assert 0 < size <= MB, "read in bounded pieces"
            return super().read(size)

    body = Counted(b"x" * (50 * MB))
    response = Client().generic(
        "POST",
        STAFF_IMPORT,
        b"",
        content_type="multipart/form-data; boundary=x",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.tell() <= 2 * MB, "reading stopped at the limit"


@pytest.mark.django_db(transaction=True)
def test_the_live_server_answers_413_before_the_body_is_sent(live_server):
    """Only the request line and headers are sent: a server that waited for the body would
    never answer (the socket's timeout then fails the test)."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=60) as connection:
        connection.sendall(
            (
                f"POST {PORTAL_SUBMIT} HTTP/1.1\r\nHost: {address.hostname}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {200 * MB}\r\n\r\n"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            piece = connection.recv(4096)
            if not piece:
                break
            answer += piece
    assert answer.startswith(b"HTTP/1.1 413 ")
    # Its length is given, so the page can be read without waiting for the connection to end.
    assert b"\r\nContent-Length: " in answer


@pytest.mark.django_db
def test_a_malformed_length_is_a_bad_request():
    response = Client().generic(
        "POST", STAFF_IMPORT, b"", CONTENT_LENGTH="abc", **{"wsgi.input": BodyMustNotBeRead()}
    )
    assert response.status_code == 400


# -- the table reader ------------------------------------------------------------------------


def test_two_million_rows_without_a_dimension_stop_at_the_row_limit(settings):
    data = streamed_xlsx(["ma", "ten"], 2_000_000)
    assert len(data) < 400_000
    errors = refusal(data, "chi-tieu.xlsx")
    last_line = settings.MOTCUA_IMPORT["MAX_ROWS"] + 2
    assert errors == [
        f"dòng {last_line}: tệp có hơn 20.000 dòng dữ liệu, mức tối đa của một lần nhập: "
        "hãy chia thành các tệp nhỏ hơn"
    ]


def test_a_csv_over_the_row_limit_is_refused(settings):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "MAX_ROWS": 100}
    rows = "".join(f"{n};Thủ tục {n}\n" for n in range(101))
    assert refusal(f"ma;ten\n{rows}".encode(), "a.csv") == [
        "dòng 102: tệp có hơn 100 dòng dữ liệu, mức tối đa của một lần nhập: "
        "hãy chia thành các tệp nhỏ hơn"
    ]
    # At the limit exactly, the file is read.
    rows = "".join(f"{n};Thủ tục {n}\n" for n in range(100))
    read = read_table(f"ma;ten\n{rows}".encode(), "a.csv", columns=COLUMNS, cell_text=text)
    assert len(read) == 100


def test_a_csv_cell_over_the_field_limit_is_refused(settings):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "MAX_CSV_FIELD_CHARS": 1000}
    errors = refusal(("ma;ten\n1;" + "a" * 1001 + "\n").encode(), "a.csv")
    assert errors == ["dòng 2: có ô dài hơn 1.000 ký tự (giới hạn của tệp nhập dữ liệu)"]


def test_a_zip_bomb_is_refused_before_it_is_opened():
    errors = refusal(zip_bomb_xlsx(), "bom.xlsx")
    assert errors == [
        "bom.xlsx: thành phần xl/sharedStrings.xml khi giải nén nặng 40 MB, vượt mức cho phép 32 MB"
    ]


def test_a_part_packed_far_tighter_than_any_workbook_is_refused():
    errors = refusal(zip_bomb_xlsx(4 * MB), "nen.xlsx")
    assert len(errors) == 1
    assert errors[0].startswith("nen.xlsx: thành phần xl/sharedStrings.xml khi giải nén lớn gấp")
    assert errors[0].endswith("(tối đa 500 lần): đây không phải tệp bảng tính thông thường")


def test_a_sheet_over_the_unpacked_limit_is_refused(settings):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "XLSX_MAX_UNPACKED_BYTES": 10 * MB}
    errors = refusal(streamed_xlsx(["ma", "ten"], 300_000), "to.xlsx")
    assert errors == [
        "to.xlsx: thành phần xl/worksheets/sheet1.xml khi giải nén nặng 14,0 MB, vượt mức "
        "cho phép 10 MB"
    ]


def test_a_file_over_the_byte_limit_is_refused_unread(settings):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "MAX_FILE_BYTES": MB}
    assert refusal(b"ma;ten\n" + b"1;a\n" * (MB // 4), "a.csv") == [
        "a.csv nặng 1,0 MB: tệp nhập dữ liệu tối đa 1 MB"
    ]


def test_many_bad_rows_stop_at_the_error_limit(settings):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "MAX_ERRORS": 5}
    rows = "".join(f"{n};a;thừa\n" for n in range(1000))
    errors = refusal(f"ma;ten\n{rows}".encode(), "a.csv")
    assert len(errors) == 6
    assert errors[0] == "dòng 2: dòng có 3 ô nhưng dòng tiêu đề có 2 cột"
    assert errors[-1] == ("đã dừng kiểm tra sau 5 lỗi đầu tiên: sửa các lỗi này rồi nhập lại tệp")


def test_an_ordinary_workbook_is_still_read():
    from openpyxl import Workbook

    workbook = Workbook()
    for cells in (["ma", "ten"], ["1", "Khai sinh"], [None, None], ["2", "Khai tử"]):
        workbook.active.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert zipfile.is_zipfile(io.BytesIO(buffer.getvalue()))
    rows = read_table(buffer.getvalue(), "a.xlsx", columns=COLUMNS, cell_text=text)
    assert rows == [(2, {"ma": "1", "ten": "Khai sinh"}), (4, {"ma": "2", "ten": "Khai tử"})]


def test_a_row_too_wide_for_any_table_is_refused_before_openpyxl_builds_it():
    wide = "<row>" + "<c><v>1</v></c>" * 101 + "</row>"
    expected = ["dòng 2: dòng có hơn 100 ô (giới hạn của tệp nhập dữ liệu)"]
    assert refusal(sheet_of_rows(wide), "rong.xlsx") == expected
    # One cell in the last column makes an openpyxl row 16.384 wide.
    far = '<row><c r="XFD2"><v>1</v></c></row>'
    assert refusal(sheet_of_rows(far), "xa.xlsx") == expected
    assert refusal(b"ma;ten\n" + b";" * 100 + b"\n", "rong.csv") == expected


def test_a_huge_xlsx_cell_is_refused_while_streaming(settings):
    settings.MOTCUA_IMPORT = {**settings.MOTCUA_IMPORT, "MAX_CSV_FIELD_CHARS": 1000}
    long = '<row><c t="inlineStr"><is><t>' + "a" * 1001 + "</t></is></c></row>"
    assert refusal(sheet_of_rows(long), "dai.xlsx") == [
        "dòng 2: có ô dài hơn 1.000 ký tự (giới hạn của tệp nhập dữ liệu)"
    ]


def test_a_sheet_with_a_doctype_is_refused():
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    assert refusal(sheet_of_rows(before=doctype), "dtd.xlsx") == [
        "dtd.xlsx không phải là tệp XLSX đọc được"
    ]
