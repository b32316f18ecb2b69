"""What is in force on a day, per level, and how much of it is online."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from motcua.catalog.selectors import (
    online_coverage,
    procedure_history,
    procedure_in_force,
    procedure_version_list,
    procedures_in_force,
)
from motcua.catalog.services import catalog_import
from motcua.catalog.tests.factories import row, write_csv


@pytest.fixture
def catalogue(agencies, tmp_path):
    catalog_import(
        write_csv(
            tmp_path / "a.csv",
            [
                row(),  # 1.001193, commune, full, from 01/01/2023
                row(ma_thu_tuc="1.000002", ten_thu_tuc="Chứng thực di chúc", muc_do_dvc="không"),
                row(
                    ma_thu_tuc="1.000003",
                    ten_thu_tuc="Đăng ký thành lập hộ kinh doanh",
                    cap_thuc_hien="huyện",
                    ma_co_quan="PTCKH-058",
                    muc_do_dvc="một phần",
                    het_hieu_luc_tu="01/07/2025",
                ),
                row(ma_thu_tuc="1.000004", ten_thu_tuc="Đăng ký khai tử", hieu_luc_tu="01/03/2024"),
            ],
        )
    )
    catalog_import(write_csv(tmp_path / "b.csv", [row(thoi_han="3", hieu_luc_tu="01/07/2024")]))


@pytest.mark.django_db
def test_it_finds_the_version_in_force_on_a_day(catalogue):
    assert procedure_in_force("1.001193", date(2022, 12, 31)) is None
    assert procedure_in_force("1.001193", date(2023, 1, 1)).version == 1
    assert procedure_in_force("1.001193", date(2024, 6, 30)).time_limit == 1
    assert procedure_in_force("1.001193", date(2024, 7, 1)).version == 2
    assert procedure_in_force("1.001193", date(2024, 7, 1)).time_limit == 3
    assert procedure_in_force("1.000003", date(2025, 6, 30)).version == 1
    assert procedure_in_force("1.000003", date(2025, 7, 1)) is None
    assert procedure_in_force("9.999999", date(2024, 7, 1)) is None
    assert [v.version for v in procedure_history("1.001193")] == [1, 2]


@pytest.mark.django_db
def test_it_lists_procedures_in_force_per_level(catalogue):
    def codes(on, level=None):
        return [v.procedure.code for v in procedures_in_force(on, level)]

    assert codes(date(2024, 1, 1)) == ["1.000002", "1.000003", "1.001193"]
    assert codes(date(2024, 12, 31), "commune") == ["1.000002", "1.000004", "1.001193"]
    assert codes(date(2025, 12, 31), "district") == []


@pytest.mark.django_db
def test_it_counts_online_coverage(catalogue):
    assert online_coverage(date(2024, 12, 31), "commune") == (2, 3)
    assert online_coverage(date(2024, 12, 31), "district") == (1, 1)
    assert online_coverage(date(2024, 12, 31), None) == (3, 4)
    assert online_coverage(date(2025, 12, 31), "district") == (0, 0)


@pytest.mark.django_db
def test_it_searches_without_caring_for_case_or_accents(catalogue):
    def names(text):
        return [v.name for v in procedure_version_list(on=date(2024, 12, 31), search=text)]

    assert names("dang ky khai") == ["Đăng ký khai tử", "Đăng ký khai sinh"]
    assert names("ĐĂNG KÝ hộ kinh") == ["Đăng ký thành lập hộ kinh doanh"]
    assert names("1.000002") == ["Chứng thực di chúc"]


@pytest.mark.django_db
def test_the_coverage_of_several_levels_is_each_level_s_in_one_query(catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.selectors import _OFFERED, _in_force, online_coverage_by_level

    # Written by hand: equal to the ORM's form of the rules (``_in_force``, ``_OFFERED``) on
    # every day a version starts or stops, the day before and the day after.
    edges = set(ProcedureVersion.objects.values_list("valid_from", flat=True))
    edges |= set(ProcedureVersion.objects.exclude(valid_to=None).values_list("valid_to", flat=True))
    days = sorted({edge + timedelta(days=shift) for edge in edges for shift in (-1, 0, 1)})
    assert len(days) >= 9
    for day in days:
        with CaptureQueriesContext(connection) as read:
            both = online_coverage_by_level(day, ["district", "commune"])
        assert len(read.captured_queries) == 1
        versions = ProcedureVersion.objects.filter(_in_force(day))
        assert both == {
            level: (
                versions.filter(_OFFERED, level=level).count(),
                versions.filter(level=level).count(),
            )
            for level in ("district", "commune")
        }, day
    assert online_coverage_by_level(date(2024, 12, 31), []) == {}
