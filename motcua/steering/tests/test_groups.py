"""Project 06 working groups and their members: creation, soft phone checks, counts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from motcua.steering.choices import GroupLevel, MemberRole
from motcua.steering.errors import InvalidInput
from motcua.steering.models import WorkingGroup, WorkingGroupMember
from motcua.steering.selectors import working_group_counts
from motcua.steering.services import working_group_create, working_group_member_add
from motcua.steering.validators import phone_normalise, validate_phone
from motcua.units.selectors import unit_at

from .conftest import SEED_DAY


@pytest.mark.django_db
def test_a_group_and_its_members(steering_world, city):
    village = unit_at("01834-T01", SEED_DAY)
    group = working_group_create(
        unit=village, name="  Tổ  công tác   bổ sung ", decision_ref="QĐ 15/QĐ-UBND"
    )
    assert (group.name, group.level) == ("Tổ công tác bổ sung", GroupLevel.VILLAGE)
    first = working_group_member_add(
        group=group,
        name="Hoàng Văn An",
        position="Trưởng tổ",
        phone="+84 912.345.678",
        role=MemberRole.LEADER,
    )
    second = working_group_member_add(group=group, name="Nông Thị Bích", phone="02093870123")
    assert (first.order, first.phone) == (1, "0912 345 678")
    assert (second.order, second.phone, second.role) == (2, "0209 387 0123", MemberRole.MEMBER)
    counts = {c.level: (c.groups, c.members) for c in working_group_counts(city)}
    assert counts[GroupLevel.VILLAGE] == (118, 704)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "name", "field"),
    [
        ("06", "Tổ công tác tỉnh", "unit"),
        ("058", "   ", "name"),
        ("058", "Tổ công tác Đề án 06 thành phố Bắc Kạn", "name"),
    ],
)
def test_bad_groups_are_refused_naming_the_field(steering_world, unit, name, field):
    before = WorkingGroup.objects.count()
    with pytest.raises(InvalidInput) as error:
        working_group_create(unit=unit_at(unit, SEED_DAY), name=name)
    assert error.value.field == field
    assert WorkingGroup.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "phone", "field"),
    [
        ("", "0912345678", "name"),
        ("Lý Văn Cường", "12345", "phone"),
        ("Lý Văn Cường", "091234567a", "phone"),
        ("Lý Văn Cường", "1912345678", "phone"),
        ("Lý Văn Cường", "0912 345 678 999", "phone"),
    ],
)
def test_bad_members_are_refused_naming_the_field(steering_world, city, name, phone, field):
    group = WorkingGroup.objects.get(unit=city)
    before = WorkingGroupMember.objects.count()
    with pytest.raises(InvalidInput) as error:
        working_group_member_add(group=group, name=name, phone=phone)
    assert error.value.field == field
    assert WorkingGroupMember.objects.count() == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912 345 678"),
        ("0912.345.678", "0912 345 678"),
        ("(+84) 912-345-678", "0912 345 678"),
        ("84912345678", "0912 345 678"),
        ("0209 3870 123", "0209 387 0123"),
        ("", ""),
    ],
)
def test_phones_are_checked_softly(typed, stored):
    validate_phone(typed)
    assert phone_normalise(typed) == stored


def test_what_cannot_be_a_phone_is_refused():
    for text in ("090", "abc", "+1 212 555 0100"):
        with pytest.raises(ValidationError):
            validate_phone(text)
