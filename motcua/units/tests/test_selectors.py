"""Selectors over the shipped Bắc Kạn data: dates, trees and lineage across the 2025 mergers."""

from datetime import date

import pytest

from motcua.units.choices import UnitLevel
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import (
    AgencyNotFound,
    UnitNotFound,
    agencies_of,
    agency_by_electronic_code,
    ancestors,
    predecessors,
    province_of,
    successors,
    unit_at,
    unit_coverers,
    unit_lineage,
    unit_versions,
    units_below,
)
from motcua.units.services import load_bac_kan
from motcua.units.tree import unit_tree

BEFORE = date(2025, 6, 30)
AFTER = date(2025, 7, 1)

pytestmark = pytest.mark.django_db


def test_it_finds_the_two_units_that_carried_01840_on_either_side_of_the_merger(bac_kan):
    old = unit_at("01840", BEFORE)
    new = unit_at("01840", AFTER)

    assert (old.name, old.parent.code, old.valid_to) == ("Phường Đức Xuân", "058", BEFORE)
    assert (new.name, new.parent.code, new.valid_from) == ("Phường Đức Xuân", "19", AFTER)
    assert old.pk != new.pk
    assert list(unit_versions("01840")) == [old, new]
    assert unit_at("01843", AFTER).name == "Phường Bắc Kạn"
    assert unit_at("01843", BEFORE).name == "Phường Phùng Chí Kiên"


def test_it_raises_a_clear_error_for_a_code_missing_on_that_day(bac_kan):
    with pytest.raises(UnitNotFound) as caught:
        unit_at("01834", AFTER)

    assert str(caught.value) == "Không có đơn vị hành chính mã 01834 vào ngày 01/07/2025"


def test_it_reads_a_unit_in_one_query(bac_kan, django_assert_num_queries):
    with django_assert_num_queries(1):
        unit_at("01852", date(2024, 5, 22))


def test_lineage_of_phuong_bac_kan_is_its_four_predecessors_and_their_groups(
    bac_kan, django_assert_num_queries
):
    new = unit_at("01843", AFTER)

    unit_tree()  # the tree read once: then a walk is the token's check and the units' query
    with django_assert_num_queries(2):
        members = list(unit_lineage(new))

    communes = sorted(
        (u.code, u.name) for u in members if u.level == UnitLevel.COMMUNE and u.pk != new.pk
    )
    assert communes == [
        ("01837", "Phường Sông Cầu"),
        ("01843", "Phường Phùng Chí Kiên"),
        ("01852", "Xã Nông Thượng"),
        ("01855", "Phường Xuất Hóa"),
    ]
    groups = [u for u in members if u.level == UnitLevel.VILLAGE]
    assert len(groups) == 15 + 18 + 12 + 12
    assert {g.parent.code for g in groups} == {"01837", "01843", "01852", "01855"}
    assert len(members) == 1 + 4 + 57
    assert not any(u.code == "058" for u in members)


def test_lineage_of_xa_phong_quang_reaches_into_another_district(bac_kan):
    new = unit_at("01849", AFTER)

    codes = set(unit_lineage(new).values_list("code", flat=True))

    assert {"01849", "01984"} <= codes
    assert len([c for c in codes if c.startswith("01849-T")]) == 10


def test_lineage_of_thai_nguyen_holds_all_of_bac_kan(bac_kan):
    thai_nguyen = unit_at("19", AFTER)

    assert unit_lineage(thai_nguyen).count() == AdministrativeUnit.objects.count() == 133


def test_lineage_of_a_unit_without_history_is_its_subtree(bac_kan):
    ward = unit_at("01834", BEFORE)

    assert set(unit_lineage(ward)) == set(units_below(ward))
    assert unit_lineage(ward).count() == 18


def test_units_below_the_city_are_8_communes_and_117_groups(bac_kan, django_assert_num_queries):
    city = unit_at("058", BEFORE)

    unit_tree()  # the tree read once: then a walk is the token's check and the units' query
    with django_assert_num_queries(2):
        below = list(units_below(city, include_self=False))

    assert len(below) == 125
    assert units_below(city).count() == 126
    assert units_below(city).filter(level=UnitLevel.COMMUNE).count() == 8


def test_province_of_walks_up_the_tree(bac_kan, django_assert_num_queries):
    group = unit_at("01846-T01", BEFORE)

    unit_tree()  # the tree read once: then a walk is the token's check and the units' query
    with django_assert_num_queries(2):
        province = province_of(group)

    assert (province.code, province.name) == ("06", "Tỉnh Bắc Kạn")
    assert province_of(unit_at("01843", AFTER)).code == "19"
    thai_nguyen = unit_at("19", AFTER)
    assert province_of(thai_nguyen) is thai_nguyen


def test_ancestors_come_from_the_top_down(bac_kan):
    group = unit_at("01852-T03", BEFORE)

    assert [u.code for u in ancestors(group)] == ["06", "058", "01852"]
    assert [u.code for u in ancestors(group, include_self=True)] == [
        "06",
        "058",
        "01852",
        "01852-T03",
    ]
    assert list(ancestors(unit_at("06", BEFORE))) == []


def test_predecessors_and_successors_follow_the_succession_table(bac_kan):
    assert [u.name for u in predecessors(unit_at("01840", AFTER))] == [
        "Phường Nguyễn Thị Minh Khai",
        "Phường Đức Xuân",
        "Phường Huyền Tụng",
    ]
    assert [u.name for u in successors(unit_at("01852", BEFORE))] == ["Phường Bắc Kạn"]


def test_agencies_of_a_unit_on_a_date(bac_kan):
    old = unit_at("01840", BEFORE)
    new = unit_at("01840", AFTER)

    assert [a.code for a in agencies_of(old, date(2024, 5, 22))] == ["BPMC-01840", "UBND-01840"]
    assert [a.code for a in agencies_of(new, AFTER)] == ["UBND-01840-2025", "TTPVHCC-01840"]
    assert list(agencies_of(old, AFTER)) == []
    city = unit_at("058", BEFORE)
    assert agencies_of(city).count() == 12


def test_agency_by_electronic_code(bac_kan):
    agency = agency_by_electronic_code("000.34.58.H06")

    assert (agency.code, agency.unit.name) == ("BPMC-01834", "Phường Nguyễn Thị Minh Khai")
    with pytest.raises(AgencyNotFound) as caught:
        agency_by_electronic_code("000.99.58.H06")
    assert str(caught.value) == "Không có cơ quan nào có mã định danh điện tử 000.99.58.H06"


@pytest.mark.django_db
def test_coverers_mirror_the_lineage_of_every_unit():
    load_bac_kan()
    units = list(AdministrativeUnit.objects.all())
    lineage = {u.pk: set(unit_lineage(u).values_list("pk", flat=True)) for u in units}
    for unit in units:
        coverers = set(unit_coverers(unit).values_list("pk", flat=True))
        assert coverers == {a for a, members in lineage.items() if unit.pk in members}, unit.code
