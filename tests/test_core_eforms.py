"""The pure declaration-form checks: schemas and answers (motcua.core.eforms)."""

from __future__ import annotations

from typing import Any

from motcua.core.eforms import answers_check, parse_date, schema_check

SCHEMA: dict[str, Any] = {
    "code": "TK-KS",
    "version": 1,
    "title": "Tờ khai đăng ký khai sinh",
    "fields": [
        {"name": "child_name", "type": "text", "label": "Họ, chữ đệm, tên", "required": True},
        {"name": "birth_date", "type": "date", "label": "Ngày sinh", "required": True},
        {"name": "weight", "type": "number", "label": "Cân nặng (gam)", "min": 300, "max": 8000},
        {
            "name": "sex",
            "type": "choice",
            "label": "Giới tính",
            "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}],
        },
        {"name": "mother_id", "type": "id_number", "label": "Số định danh của mẹ"},
        {"name": "home", "type": "address", "label": "Nơi cư trú"},
        {
            "name": "children",
            "type": "group",
            "label": "Các con",
            "max_items": 3,
            "fields": [
                {"name": "name", "type": "text", "label": "Họ tên", "required": True},
                {"name": "birth_date", "type": "date", "label": "Ngày sinh"},
            ],
        },
    ],
}


def test_good_schema_has_no_problems() -> None:
    assert schema_check(SCHEMA) == []


def test_schema_problems_name_their_path() -> None:
    bad = {
        "code": "TK KS",
        "version": 0,
        "title": "",
        "fields": [
            {"name": "Bad Name", "type": "text", "label": "x"},
            {"name": "a", "type": "colour", "label": "x"},
            {"name": "b", "type": "choice", "label": "x", "options": []},
            {
                "name": "c",
                "type": "group",
                "label": "x",
                "fields": [
                    {
                        "name": "d",
                        "type": "group",
                        "label": "y",
                        "fields": [{"name": "e", "type": "text", "label": "z"}],
                    }
                ],
            },
            {"name": "f", "type": "text", "label": "x", "max_length": 10**6},
        ],
    }
    paths = {problem.path for problem in schema_check(bad)}
    assert paths == {
        "code",
        "version",
        "title",
        "fields[0].name",
        "fields[1].type",
        "fields[2].options",
        "fields[3].fields[0]",
        "fields[4].max_length",
    }


def test_schema_is_bounded() -> None:
    many = dict(
        SCHEMA, fields=[{"name": f"f{i}", "type": "text", "label": "x"} for i in range(500)]
    )
    problems = schema_check(many)
    assert [problem.path for problem in problems] == ["fields"]
    assert schema_check("not an object")[0].path == ""


def test_good_answers_are_cleaned() -> None:
    clean, errors = answers_check(
        SCHEMA,
        {
            "child_name": "  Nguyễn Văn An ",
            "birth_date": "05/01/2026",
            "weight": "3200",
            "sex": "nam",
            "mother_id": "001190012345",
            "home": {"unit": "01840", "street": "Số 5 ngõ 12"},
            "children": [
                {"name": "Bình", "birth_date": "2020-02-29"},
                {"name": "", "birth_date": ""},
            ],
        },
    )
    assert errors == {}
    assert clean == {
        "child_name": "Nguyễn Văn An",
        "birth_date": "2026-01-05",
        "weight": 3200,
        "sex": "nam",
        "mother_id": "001190012345",
        "home": {"unit": "01840", "street": "Số 5 ngõ 12"},
        "children": [{"name": "Bình", "birth_date": "2020-02-29"}],
    }


def test_bad_answers_name_each_field() -> None:
    _, errors = answers_check(
        SCHEMA,
        {
            "child_name": "x" * 10_000,
            "birth_date": "31/02/2025",
            "weight": "ba cân",
            "sex": "other",
            "mother_id": "12345",
            "home": {"unit": "abc", "street": "x"},
            "children": [{"name": "A"}, {"birth_date": "29/02/2023"}],
            "extra": 1,
        },
    )
    assert set(errors) == {
        "child_name",
        "birth_date",
        "weight",
        "sex",
        "mother_id",
        "home.unit",
        "children[1].name",
        "children[1].birth_date",
        "extra",
    }
    assert errors["child_name"].text() == "At most 2000 characters (this has 10000)."


def test_missing_required_and_wrong_types() -> None:
    _, errors = answers_check(SCHEMA, {"birth_date": 20260105, "weight": True, "children": "x"})
    assert set(errors) == {"child_name", "birth_date", "weight", "children"}
    assert errors["child_name"].message == "Fill in this field."
    _, errors = answers_check(SCHEMA, ["not", "an", "object"])
    assert set(errors) == {""}


def test_group_bounds() -> None:
    rows = [{"name": str(i)} for i in range(4)]
    _, errors = answers_check(
        SCHEMA, {"child_name": "A", "birth_date": "01/01/2026", "children": rows}
    )
    assert errors["children"].params == {"max": 3}
    schema = dict(SCHEMA, fields=[dict(SCHEMA["fields"][6], min_items=2)])
    _, errors = answers_check(schema, {"children": [{"name": "A"}]})
    assert errors["children"].params == {"min": 2}


def test_dates_are_calendar_days() -> None:
    assert parse_date("29/02/2024") is not None
    assert parse_date("29/02/2025") is None
    assert parse_date("31/04/2025") is None
    assert parse_date("1/13/2025") is None
    assert parse_date("2025-02-30") is None
