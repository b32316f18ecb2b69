from datetime import date

import pytest

from motcua.accounts.access import is_administrator, user_can_act, user_roles, user_unit_ids
from motcua.accounts.choices import Role
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.units.models import AdministrativeUnit, Succession

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    province = AdministrativeUnit.objects.create(code="06", name="Tỉnh Bắc Kạn", kind="province")
    city = AdministrativeUnit.objects.create(
        code="058", name="Thành phố Bắc Kạn", kind="city", parent=province
    )
    for code, name in [("01840", "Phường Đức Xuân"), ("01843", "Phường Phùng Chí Kiên")]:
        ward = AdministrativeUnit.objects.create(
            code=code, name=name, kind="ward", parent=city, valid_to=date(2025, 6, 30)
        )
        AdministrativeUnit.objects.create(
            code=f"{code}-T01", name="Tổ 1", kind="residential_group", parent=ward
        )
    return city


def unit(code):
    return AdministrativeUnit.objects.get(code=code)


def test_it_scopes_a_ward_clerk_to_that_ward_and_below(city):
    clerk = user_create_or_update(username="clerk", full_name="Ma Thị Thu")
    role_grant(user=clerk, role=Role.CLERK, unit=unit("01840"))

    assert user_can_act(clerk, Role.CLERK, unit("01840"))
    assert user_can_act(clerk, Role.CLERK, unit("01840-T01"))
    assert not user_can_act(clerk, Role.CLERK, unit("01843"))
    assert not user_can_act(clerk, Role.CLERK, city)
    assert not user_can_act(clerk, Role.OFFICER, unit("01840"))
    assert user_roles(clerk) == {Role.CLERK}


def test_it_lets_a_city_leader_see_the_city_and_below(city):
    leader = user_create_or_update(username="leader", full_name="Lý Thị Hà")
    role_grant(user=leader, role=Role.LEADER, unit=city)

    scope = user_unit_ids(leader, [Role.LEADER])
    assert scope == {u.pk for u in AdministrativeUnit.objects.exclude(code="06")}
    assert not user_can_act(leader, Role.LEADER, unit("06"))


def test_it_extends_a_successor_scope_to_its_predecessors(city):
    new_ward = AdministrativeUnit.objects.create(
        code="01843", name="Phường Bắc Kạn", kind="ward", valid_from=date(2025, 7, 1)
    )
    old_ward = AdministrativeUnit.objects.get(code="01843", valid_from=None)
    Succession.objects.create(
        predecessor=old_ward, successor=new_ward, kind="merger", effective_date=date(2025, 7, 1)
    )
    leader = user_create_or_update(username="leader", full_name="Lý Thị Hà")
    role_grant(user=leader, role=Role.LEADER, unit=new_ward)

    assert user_can_act(leader, Role.LEADER, old_ward)
    assert user_can_act(leader, Role.LEADER, AdministrativeUnit.objects.get(code="01843-T01"))
    assert not user_can_act(leader, Role.LEADER, unit("01840"))


def test_administrators_and_superusers_cover_every_unit(city):
    admin = user_create_or_update(username="root", full_name="Quản trị", is_superuser=True)
    assert is_administrator(admin)
    assert user_unit_ids(admin, [Role.CLERK]) is None
    assert user_can_act(admin, Role.CLERK, unit("01843"))


def test_an_inactive_user_can_do_nothing(city):
    clerk = user_create_or_update(username="clerk", full_name="Ma Thị Thu")
    role_grant(user=clerk, role=Role.CLERK, unit=unit("01840"))
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])

    assert not user_can_act(clerk, Role.CLERK, unit("01840"))
    assert user_roles(clerk) == set()


def test_granting_twice_changes_nothing(city):
    clerk = user_create_or_update(username="clerk", full_name="Ma Thị Thu")
    role_grant(user=clerk, role=Role.CLERK, unit=unit("01840"))
    role_grant(user=clerk, role=Role.CLERK, unit=unit("01840"))
    assert clerk.assignments.count() == 1
