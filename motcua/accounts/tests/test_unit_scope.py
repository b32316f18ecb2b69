"""The unit scope every page uses (accounts.access): the units a user may pick, whether a unit
is in scope, query sets kept to the user's units, and the unit a page opens on."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.access import default_unit, restrict, units_for_user, user_may_see_unit
from motcua.accounts.choices import Role
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

VIEW = (Role.LEADER, Role.STEERING)


@pytest.fixture
def provinces():
    # The code of the province that ended sorts first, so only the end date puts the one in
    # force ahead of it.
    ended = AdministrativeUnit.objects.create(
        code="06", name="Tỉnh Bắc Kạn", kind="province", valid_to=date(2025, 6, 30)
    )
    in_force = AdministrativeUnit.objects.create(
        code="19", name="Tỉnh Thái Nguyên", kind="province", valid_from=date(2025, 7, 1)
    )
    city = AdministrativeUnit.objects.create(
        code="058", name="Thành phố Bắc Kạn", kind="city", parent=ended
    )
    AdministrativeUnit.objects.create(
        code="058-T01", name="Tổ 1", kind="residential_group", parent=city
    )
    return ended, in_force, city


def test_an_administrator_without_grants_opens_on_the_province_in_force(provinces):
    ended, in_force, _ = provinces
    admin = user_create_or_update(username="admin", full_name="Quản trị")
    admin.is_superuser = True
    admin.save()
    assert default_unit(admin, VIEW) == in_force
    in_force.valid_to = date(2026, 12, 31)
    in_force.save()
    # Both ended: the one that ended last.
    assert default_unit(admin, VIEW) == in_force


def test_an_administrator_granted_on_a_merged_province_opens_on_the_one_in_force(provinces):
    # The demo's administrator holds the role on Bắc Kạn (06), which became part of Thái
    # Nguyên (19) on 01/07/2025: its dashboard opened on July 2024, a history.
    ended, in_force, city = provinces
    admin = user_create_or_update(username="admin", full_name="Quản trị")
    admin.is_superuser = True
    admin.save()
    role_grant(user=admin, role=Role.ADMIN, unit=ended)
    assert default_unit(admin, VIEW) == in_force
    # Someone granted before and after the merger opens on today's unit, whatever the codes.
    leader = user_create_or_update(username="leader", full_name="Lý Thị Hà")
    role_grant(user=leader, role=Role.LEADER, unit=ended)
    role_grant(user=leader, role=Role.LEADER, unit=in_force)
    assert default_unit(leader, VIEW) == in_force
    # A leader of the dissolved city keeps opening on its history: it is all she may see.
    city_leader = user_create_or_update(username="city.leader", full_name="Lý Thị Hà")
    role_grant(user=city_leader, role=Role.LEADER, unit=city)
    city.valid_to = date(2025, 6, 30)
    city.save()
    assert default_unit(city_leader, VIEW) == city


def test_the_default_unit_query_places_nulls_itself(provinces):
    # SQLite puts NULLs last in a descending order, PostgreSQL first: an order on valid_to
    # that does not say where NULLs go answers differently on the two databases.
    admin = user_create_or_update(username="admin", full_name="Quản trị")
    admin.is_superuser = True
    admin.save()
    with CaptureQueriesContext(connection) as queries:
        default_unit(admin, VIEW)
    ordered = [q["sql"].split("ORDER BY") for q in queries if "ORDER BY" in q["sql"]]
    orders = [sql[-1] for sql in ordered if "valid_to" in sql[-1]]
    assert orders, [q["sql"] for q in queries]
    assert all("NULLS FIRST" in sql for sql in orders), orders


def test_a_leader_opens_on_the_highest_unit_granted_and_picks_below_it(provinces):
    ended, in_force, city = provinces
    leader = user_create_or_update(username="leader", full_name="Lý Thị Hà")
    role_grant(user=leader, role=Role.LEADER, unit=city)
    assert default_unit(leader, VIEW) == city
    # Villages (residential groups) are not picked.
    assert units_for_user(leader, VIEW) == [city]
    assert user_may_see_unit(leader, VIEW, city)
    assert not user_may_see_unit(leader, VIEW, ended)
    assert not user_may_see_unit(leader, (Role.CLERK,), city)
    assert list(restrict(AdministrativeUnit.objects.order_by("code"), leader, VIEW, "parent")) == [
        AdministrativeUnit.objects.get(code="058-T01")
    ]


def test_a_user_without_roles_sees_nothing(provinces):
    nobody = user_create_or_update(username="nobody", full_name="Không ai")
    assert default_unit(nobody, VIEW) is None
    assert units_for_user(nobody, VIEW) == []
    assert not restrict(AdministrativeUnit.objects.all(), nobody, VIEW, "parent").exists()
