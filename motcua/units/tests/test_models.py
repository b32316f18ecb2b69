"""Model rules the admin relies on (the loader enforces the same ones on files)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_it_refuses_a_second_unit_with_the_same_code_at_the_same_time(bac_kan):
    clash = AdministrativeUnit(
        code="01840", name="Phường Đức Xuân (trùng)", kind="ward", valid_from=date(2025, 1, 1)
    )

    with pytest.raises(ValidationError) as caught:
        clash.full_clean()

    assert "valid_from" in caught.value.message_dict


def test_it_refuses_a_parent_at_the_same_level(bac_kan):
    ward = AdministrativeUnit.objects.get(code="01834")
    child = AdministrativeUnit(
        code="01834-X", name="Phường con", kind="ward", parent=ward, valid_to=date(2025, 6, 30)
    )

    with pytest.raises(ValidationError) as caught:
        child.full_clean()

    assert "parent" in caught.value.message_dict


def test_it_derives_the_level_from_the_kind(db):
    unit = AdministrativeUnit.objects.create(code="19", name="Tỉnh Thái Nguyên", kind="province")

    assert unit.level == "province"
