import pytest

from motcua.lib.textfiles import NotUtf8, decode_utf8


def test_it_drops_the_byte_order_mark_excel_writes():
    assert decode_utf8("\ufeffmã,tên\n".encode()) == "mã,tên\n"
    assert decode_utf8("mã".encode()) == "mã"


def test_it_names_the_line_and_column_of_a_legacy_byte():
    with pytest.raises(NotUtf8) as error:
        decode_utf8(b"a,b\nxy," + b"\xe3")
    assert (error.value.utf16, error.value.line, error.value.column, error.value.byte) == (
        False,
        2,
        4,
        0xE3,
    )


def test_it_recognises_utf16():
    with pytest.raises(NotUtf8) as error:
        decode_utf8("mã".encode("utf-16"))
    assert error.value.utf16
