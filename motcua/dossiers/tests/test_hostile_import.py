"""Hostile history files at the command line (issue 16 item 5): refused, line and field named.

Each file is one the issue's attacker sent: 200.000 levels of nesting (the decoder's
RecursionError), a lone surrogate (UnicodeEncodeError at the database), a 5.000-digit integer
(Python's int limit, ValueError), a huge ``sets`` (OverflowError in the column), NUL in text
(PostgreSQL refuses it, SQLite stored it), an overlong line and an overlong field. Each must
give the Vietnamese message naming the line and the field, and write nothing, on both
databases (these tests use the db fixture, so the PostgreSQL pass runs them too).
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from motcua.dossiers.history import MAX_DEPTH, MAX_ERRORS, MAX_LINE_BYTES, import_history
from motcua.dossiers.tests.test_history import HEADER, nothing_written, record

pytestmark = pytest.mark.django_db

DEEP = 200_000


def write(tmp_path, *lines: str, name: str = "hostile.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join([json.dumps(HEADER), *lines]) + "\n", encoding="utf-8")
    return path


def with_raw(field: str, raw_json: str, **changes) -> str:
    """A valid record line whose ``field`` holds ``raw_json`` verbatim (no re-encoding)."""
    line = json.dumps(record(**{field: "@@HERE@@"}, **changes), ensure_ascii=False)
    return line.replace('"@@HERE@@"', raw_json)


def refused(path) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("dossiers", "import", str(path), stdout=out)
    nothing_written()
    assert out.getvalue() == ""
    message = str(raised.value)
    assert message.startswith("Tệp bị từ chối, không nhập gì: ")
    return message


def test_200000_levels_of_nesting_are_refused_naming_the_field(world, tmp_path):
    deep = "[" * DEEP + "]" * DEEP
    message = refused(write(tmp_path, with_raw("summary", deep)))
    # The first three levels name where: the field, then the lists inside it.
    assert f"dòng 2, summary[1][1]: lồng nhau sâu quá {MAX_DEPTH} cấp" in message


def test_a_whole_line_of_nested_objects_is_refused(world, tmp_path):
    levels = 150_000  # 6 bytes a level: 200.000 would be refused as an overlong line first
    message = refused(write(tmp_path, '{"a":' * levels + "1" + "}" * levels))
    assert f"dòng 2, a.a.a: lồng nhau sâu quá {MAX_DEPTH} cấp" in message


def test_brackets_inside_strings_do_not_count_as_nesting(world, tmp_path):
    path = write(tmp_path, json.dumps(record(summary="[" * 250 + "{" * 250)))
    out = io.StringIO()
    call_command("dossiers", "import", str(path), stdout=out)
    assert out.getvalue().startswith("1 hồ sơ đã nhập")


def test_a_lone_surrogate_is_refused_naming_the_field(world, tmp_path):
    line = with_raw("applicant", '{"name": "Nông \\ud800 Hoa", "unit": "01840"}')
    message = refused(write(tmp_path, line))
    assert "dòng 2, applicant.name: chứa một nửa cặp thay thế (surrogate) đứng riêng (U+D800)" in (
        message
    )


def test_a_surrogate_pair_is_an_ordinary_character(world, tmp_path):
    path = write(tmp_path, with_raw("summary", '"Hồ sơ \\ud83d\\ude00"'))
    call_command("dossiers", "import", str(path), stdout=io.StringIO())
    assert import_history(path).unchanged == ["000.00.58.H06-240102-0001"]


def test_a_5000_digit_integer_is_refused_naming_the_field(world, tmp_path):
    message = refused(write(tmp_path, with_raw("sets", "9" * 5000)))
    assert "dòng 2, sets: số có 5.000 chữ số: không trường nào chứa quá 19 chữ số" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (str(2**63 - 1), "dòng 2, sets: phải từ 32.767 trở xuống"),
        ("32768", "dòng 2, sets: phải từ 32.767 trở xuống"),
        ("1e999", "dòng 2, sets: số 1e999 quá lớn"),
        ("NaN", "dòng 2, sets: NaN không phải là số JSON cho phép"),
        ("-Infinity", "dòng 2, sets: -Infinity không phải là số JSON cho phép"),
    ],
)
def test_a_huge_number_of_sets_is_refused_naming_the_field(world, tmp_path, raw, expected):
    assert expected in refused(write(tmp_path, with_raw("sets", raw)))


def test_a_huge_amount_is_refused_within_its_column(world, tmp_path):
    rec = record()
    rec["payments"][0]["amount"] = 2**63
    message = refused(write(tmp_path, json.dumps(rec)))
    assert "dòng 2, payments[1].amount: phải từ 9.223.372.036.854.775.807 trở xuống" in message


@pytest.mark.parametrize(
    ("field", "raw", "place"),
    [
        ("summary", '"Cấp\\u0000bản sao"', "summary"),
        ("events", '[{"at": "2024-01-01T21:10:00+07:00", "actor": "A", "action": "create",'
         ' "to": "returned", "data": {"note": ["x\\u0000"]}}]', "events[1].data.note[1]"),
    ],
)  # fmt: skip
def test_nul_in_text_is_refused_on_every_database(world, tmp_path, field, raw, place):
    message = refused(write(tmp_path, with_raw(field, raw)))
    assert f"dòng 2, {place}: chứa ký tự NUL (U+0000), văn bản không được chứa ký tự này" in (
        message
    )


def test_nul_in_a_field_name_is_refused(world, tmp_path):
    line = with_raw("applicant", '{"name": "Hoa", "na\\u0000me": "x"}')
    message = refused(write(tmp_path, line))
    assert "dòng 2, applicant: tên trường chứa ký tự NUL (U+0000)" in message


def test_an_overlong_line_is_refused_and_skipped_without_reading_it_whole(world, tmp_path):
    long_line = json.dumps(record(summary="x" * (MAX_LINE_BYTES + 10)))
    message = refused(write(tmp_path, long_line, json.dumps(record(code="A-2", sets=0))))
    assert "dòng 2: dòng dài quá 1.048.576 byte (mỗi dòng một hồ sơ)" in message
    # The line after it is still read and checked.
    assert "dòng 3, sets: phải từ 1 trở lên" in message


def test_an_overlong_field_is_refused_with_its_column_length(world, tmp_path):
    message = refused(write(tmp_path, json.dumps(record(summary="ả" * 501))))
    assert "dòng 2, summary: dài quá 500 ký tự" in message
    message = refused(write(tmp_path, json.dumps(record(current_step="x" * 201))))
    assert "dòng 2, current_step: dài quá 200 ký tự" in message


def test_a_refused_value_is_quoted_short(world, tmp_path):
    message = refused(write(tmp_path, json.dumps(record(channel="z" * 100_000))))
    line = next(m for m in message.splitlines() if "channel" in m)
    assert len(line) < 200


def test_a_line_that_is_not_utf8_is_named(world, tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(
        (json.dumps(HEADER) + "\n").encode()
        + json.dumps(record(summary="Hồ sơ"), ensure_ascii=False).encode("cp1258", "replace")
        + b"\n"
    )
    message = refused(path)
    assert "dòng 2: không phải văn bản UTF-8 (byte thứ" in message


def test_reading_stops_after_the_first_problems(world, tmp_path):
    path = write(tmp_path, *["{}"] * (MAX_ERRORS + 50))
    message = refused(path)
    assert f"dừng đọc sau {MAX_ERRORS} lỗi" in message
    assert f"dòng {MAX_ERRORS + 2}:" in message
    assert f"dòng {MAX_ERRORS + 3}:" not in message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--summary", "Cấp\x00bản sao"], "--summary: chứa ký tự NUL (U+0000)"),
        (["--name", "Nông \udcc3 Hoa"], "--name: chứa một nửa cặp thay thế (surrogate)"),
        (["--component", "Tờ khai\x00:1"], "--component: chứa ký tự NUL"),
    ],
)
def test_receive_refuses_nul_and_surrogates_naming_the_option(world, args, message):
    base = {"--procedure": "1.000001", "--agency": "BPMC-058", "--channel": "direct",
            "--name": "Nông Thị Hoa", "--at": "02/01/2024 08:00", "--user": "clerk"}  # fmt: skip
    argv = ["receive"]
    for key, value in base.items():
        if key not in args:
            argv += [key, value]
    with pytest.raises(CommandError) as raised:
        call_command("dossiers", *argv, *args, stdout=io.StringIO())
    assert str(raised.value).startswith(message)
    nothing_written()


def test_transition_and_import_name_their_positional_arguments(world):
    with pytest.raises(CommandError) as raised:
        call_command(
            "dossiers", "transition", "A\x00", "receive", "--user", "clerk", stdout=io.StringIO()
        )
    assert str(raised.value).startswith("CODE: chứa ký tự NUL")
    with pytest.raises(CommandError) as raised:
        call_command("dossiers", "import", "a\x00.jsonl", stdout=io.StringIO())
    assert str(raised.value).startswith("FILE: chứa ký tự NUL")
