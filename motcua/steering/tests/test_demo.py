"""The seed's digital-transformation and Project 06 figures, as the demo loads them."""

from __future__ import annotations

import unicodedata
from datetime import date
from fractions import Fraction

import pytest

from motcua.demo.steering import demo_name, load_demo
from motcua.steering import definitions as codes
from motcua.steering.choices import GroupLevel, MemberRole
from motcua.steering.models import (
    IndicatorDefinition,
    IndicatorValue,
    WorkingGroup,
    WorkingGroupMember,
)
from motcua.steering.selectors import (
    briefing_facts,
    indicator_table,
    working_group_counts,
    working_groups_of,
)
from motcua.units.models import Agency
from motcua.units.selectors import unit_at, unit_lineage, valid_on

from .conftest import SEED_DAY


def rows_by_code(unit, on):
    return {row.definition.code: row for row in indicator_table(unit, on)}


@pytest.mark.django_db
def test_the_demo_holds_the_seeds_indicator_values(steering_world, city):
    rows = rows_by_code(city, SEED_DAY)
    assert rows[codes.EID_ACCOUNTS].text == "25.328"
    assert rows[codes.EID_ACCOUNTS].numerator == 25328
    assert rows[codes.EID_ACCOUNTS].denominator is None
    assert rows[codes.DIGITAL_SIGNATURE].text == "1.459/24.007 = 6,08%"
    assert rows[codes.DIGITAL_SIGNATURE].percent_text == "6,08%"
    assert rows[codes.DIGITAL_SIGNATURE].rate == Fraction(145900, 24007)
    assert rows[codes.FIBRE_HOUSEHOLDS].text == "11.152/12.064 = 92,44%"
    assert rows[codes.MOBILE_COVERAGE].text == "8/8 = 100%"
    assert rows[codes.MOBILE_COVERAGE].percent_text == "100%"
    # Agencies by fibre: over the demo's agencies of the city and its communes and wards.
    agencies = Agency.objects.filter(valid_on(SEED_DAY), unit__in=unit_lineage(city)).count()
    assert agencies == 28
    assert rows[codes.AGENCY_FIBRE].text == "28/28 = 100%"
    # The seed gives no number of people the community teams supported.
    assert rows[codes.COMMUNITY_SUPPORT].numerator is None
    assert rows[codes.COMMUNITY_SUPPORT].text == "–"
    for code in (codes.EID_ACCOUNTS, codes.DIGITAL_SIGNATURE, codes.FIBRE_HOUSEHOLDS):
        assert rows[code].as_of == SEED_DAY
        assert rows[code].period_start == date(2024, 1, 1)


@pytest.mark.django_db
def test_values_are_not_shown_before_their_day(steering_world, city):
    rows = rows_by_code(city, date(2024, 5, 21))
    assert rows[codes.EID_ACCOUNTS].numerator is None
    assert rows[codes.EID_ACCOUNTS].history == ()


@pytest.mark.django_db
def test_the_demo_sets_the_provinces_targets(steering_world, city):
    rows = rows_by_code(city, SEED_DAY)
    assert rows[codes.DIGITISATION].target_text == "100%"
    assert rows[codes.E_CERTIFICATION].target_text == "20%"
    assert rows[codes.DIGITISATION].target.assigned_by.code == "06"
    assert rows[codes.EID_ACCOUNTS].target is None
    assert rows[codes.EID_ACCOUNTS].met is None
    # Targets are per year: none in 2025.
    assert rows_by_code(city, date(2025, 5, 22))[codes.DIGITISATION].target is None


@pytest.mark.django_db
def test_the_demo_holds_the_project_06_groups(steering_world, city):
    counts = {c.level: (c.groups, c.members) for c in working_group_counts(city)}
    assert counts == {
        GroupLevel.DISTRICT: (1, 13),
        GroupLevel.COMMUNE: (8, 56),
        GroupLevel.VILLAGE: (117, 702),
    }
    # A ward sees its own group and its residential groups' only.
    ward = unit_at("01840", SEED_DAY)
    counts = {c.level: (c.groups, c.members) for c in working_group_counts(ward)}
    assert counts == {
        GroupLevel.DISTRICT: (0, 0),
        GroupLevel.COMMUNE: (1, 7),
        GroupLevel.VILLAGE: (17, 102),
    }


@pytest.mark.django_db
def test_each_group_has_a_leader_and_generated_vietnamese_names(steering_world, city):
    groups = list(working_groups_of(city))
    assert [g.level for g in groups[:2]] == [GroupLevel.DISTRICT, GroupLevel.COMMUNE]
    assert groups[0].name == "Tổ công tác Đề án 06 thành phố Bắc Kạn"
    assert "Tổ công tác Đề án 06 thôn Nà Pam, xã Dương Quang" in {g.name for g in groups}
    for group in groups:
        roles = [m.role for m in group.members.all()]
        assert roles.count(MemberRole.LEADER) == 1, group.name
    names = list(WorkingGroupMember.objects.values_list("name", flat=True))
    assert len(names) == 771
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert all(len(n.split()) == 3 for n in names)
    # Deterministic: the same k gives the same name on every machine.
    assert demo_name(0) == "Nguyễn Minh Thành"
    assert demo_name(3) == "Lý Thị Mai"


@pytest.mark.django_db
def test_loading_the_demo_again_changes_nothing(steering_world, city):
    assert steering_world == {
        "definitions": 0,  # the migration loaded them on install
        "values": 5,
        "targets": 2,
        "groups": 126,
        "members": 771,
    }
    before = (
        IndicatorValue.objects.count(),
        WorkingGroup.objects.count(),
        WorkingGroupMember.objects.count(),
    )
    assert load_demo() == dict.fromkeys(steering_world, 0)
    after = (
        IndicatorValue.objects.count(),
        WorkingGroup.objects.count(),
        WorkingGroupMember.objects.count(),
    )
    assert after == before


@pytest.mark.django_db
def test_the_shipped_definitions(steering_world):
    definitions = {d.code: d for d in IndicatorDefinition.objects.all()}
    assert len(definitions) == 11
    computed = {code for code, d in definitions.items() if d.is_computed}
    assert computed == {
        codes.ONLINE_SERVICES_DISTRICT,
        codes.ONLINE_SERVICES_COMMUNE,
        codes.ONLINE_PAYMENT,
        codes.DIGITISATION,
        codes.E_CERTIFICATION,
    }
    assert not definitions[codes.EID_ACCOUNTS].is_rate
    assert not definitions[codes.COMMUNITY_SUPPORT].is_rate
    assert definitions[codes.DIGITAL_SIGNATURE].denominator_label
    assert definitions[codes.MOBILE_COVERAGE].level == "district"


@pytest.mark.django_db
def test_briefing_facts_give_the_paragraphs_numbers(steering_world, city):
    facts = briefing_facts(city, date(2024, 5, 23))
    assert facts["eid_accounts"]["text"] == "25.328"
    signature = facts["digital_signature"]
    assert (signature["numerator_text"], signature["denominator_text"]) == ("1.459", "24.007")
    assert signature["percent_text"] == "6,08%"
    fibre = facts["fibre_households"]
    assert f"{fibre['numerator_text']}/{fibre['denominator_text']}" == "11.152/12.064"
    assert fibre["percent_text"] == "92,44%"
    assert facts["mobile_coverage"]["percent_text"] == "100%"
    assert facts["agency_fibre"]["percent_text"] == "100%"
    assert facts["community_support"] is None
    assert facts["targets"]["digitisation"]["text"] == "100%"
    assert facts["targets"]["e_certification"]["text"] == "20%"
    groups = [(g["groups_text"], g["members_text"]) for g in facts["working_groups"]]
    assert groups == [("01", "13"), ("08", "56"), ("117", "702")]
