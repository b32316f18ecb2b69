"""The demo catalogue: the city's published figures, reproducible from the generator."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.catalog.choices import LimitUnit, ProcedureLevel
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import online_coverage
from motcua.catalog.services import DEMO_CATALOG_PATH, load_demo_catalog
from motcua.catalog.tests.factories import city_agencies
from motcua.demo.catalog import demo_rows, write_demo_catalog
from motcua.lib.formatting import format_ratio


def test_it_ships_the_file_the_generator_writes(tmp_path):
    path = tmp_path / "demo.csv"
    assert write_demo_catalog(path) == 371
    assert path.read_bytes() == DEMO_CATALOG_PATH.read_bytes()


def test_it_generates_the_demo_file(tmp_path):
    path = tmp_path / "demo.csv"
    out = StringIO()
    call_command("demo", "generate-catalog", str(path), stdout=out)
    assert out.getvalue() == f"Đã ghi 371 thủ tục vào {path}.\n"


@pytest.fixture
def agencies(db):
    return city_agencies()


def test_it_has_unique_codes_and_names_and_plausible_values():
    rows = demo_rows()
    assert len({r.code for r in rows}) == 371
    for level in ProcedureLevel.DISTRICT, ProcedureLevel.COMMUNE:
        names = [r.name for r in rows if r.level == level]
        assert len(set(names)) == len(names)
    assert all(len(r.code) == 8 and r.code[1] == "." for r in rows)
    units = Counter(r.time_limit_unit for r in rows)
    assert units[LimitUnit.WORKING_DAYS] > 250
    assert 0 < units[LimitUnit.CALENDAR_DAYS] < 50
    assert 0 < units[LimitUnit.WORKING_HOURS] < 50
    certification = Counter(r.level for r in rows if r.is_certification)
    assert certification[ProcedureLevel.DISTRICT] >= 5
    assert certification[ProcedureLevel.COMMUNE] >= 5
    assert sum(1 for r in rows if not r.fees) > 185
    assert all(r.agency_code for r in rows if r.level == ProcedureLevel.DISTRICT)


@pytest.mark.django_db
def test_it_loads_the_citys_figures(agencies):
    # when
    report = load_demo_catalog()

    # then: 257 city-level procedures (189 online) and 114 commune-level (75 online) in 2024
    assert len(report.created) == 371
    for day in date(2024, 1, 1), date(2024, 12, 31):
        assert online_coverage(day, ProcedureLevel.DISTRICT) == (189, 257)
        assert online_coverage(day, ProcedureLevel.COMMUNE) == (75, 114)
    assert format_ratio(189, 257) == "189/257 = 73,54%"
    v = ProcedureVersion.objects.get(name="Đăng ký thành lập hộ kinh doanh")
    assert v.competent_agency.code == "PTCKH-058"
    assert v.competent_body == "Phòng Tài chính - Kế hoạch"


@pytest.mark.django_db
def test_it_loads_the_demo_twice_without_change(agencies):
    load_demo_catalog()
    report = load_demo_catalog()
    assert len(report.unchanged) == 371
    assert ProcedureVersion.objects.count() == 371
