"""``is_staff`` (the key to /admin/) only for administrators (issue 16: "every demo staff
account has is_staff and reaches /admin/"): clerks, officers and leaders are sent to a sign-in
page by the admin; administrators and superusers open it; the demo's accounts and the data
migration follow the same rule."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.demo.services import ALL_ACCOUNTS, demo_accounts_load
from motcua.units.models import AdministrativeUnit

MODEL_BACKEND = "motcua.accounts.backends.StaffBackend"
ADMIN_PAGES = ["/admin/", "/admin/dossiers/dossier/", "/admin/accounts/user/"]


def opens_admin(user: User) -> bool:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    statuses = {client.get(page).status_code for page in ADMIN_PAGES}
    assert len(statuses) == 1, statuses
    (status,) = statuses
    if status == 302:
        response = client.get(ADMIN_PAGES[0])
        assert response["Location"].startswith("/admin/login/")
        return False
    assert status == 200
    return True


@pytest.fixture
def unit(bac_kan_world) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code="058")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CLERK, Role.OFFICER, Role.LEADER, Role.STEERING])
def test_a_clerk_officer_leader_or_steering_member_cannot_open_the_admin(unit, role):
    user = user_create_or_update(username=f"thu.{role}", full_name="Cán bộ Thử", password="x")
    role_grant(user=user, role=role, unit=unit)
    user.refresh_from_db()
    assert user.is_staff is False
    assert not opens_admin(user)
    # The site's own pages still open for them.
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    assert "Quản trị" not in client.get("/bao-cao/", follow=True).content.decode().split("<main")[0]


@pytest.mark.django_db
def test_an_administrator_and_a_superuser_open_the_admin(unit):
    administrator = user_create_or_update(username="quantri.thu", full_name="Quản trị Thử")
    assert administrator.is_staff is False
    role_grant(user=administrator, role=Role.ADMIN, unit=unit)
    administrator.refresh_from_db()
    assert administrator.is_staff is True
    # Updating the account later keeps the key while the role is held.
    again = user_create_or_update(username="quantri.thu", full_name="Quản trị Thử", email="a@b.vn")
    assert again.is_staff is True
    root = user_create_or_update(username="root.thu", full_name="Gốc", is_superuser=True)
    assert root.is_staff is True
    assert opens_admin(root)


@pytest.mark.django_db
def test_of_the_demo_accounts_only_the_administrator_has_the_key(bac_kan_world):
    demo_accounts_load()
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    administrators = {a.username for a in ALL_ACCOUNTS if a.role == Role.ADMIN or a.superuser}
    assert staff == administrators == {"admin"}


@pytest.mark.django_db
def test_the_migration_takes_the_key_back_from_everyone_but_administrators(unit):
    clerk = user_create_or_update(username="clerk.cu", full_name="Cũ", is_staff=True)
    administrator = user_create_or_update(username="admin.cu", full_name="Quản trị")
    role_grant(user=administrator, role=Role.ADMIN, unit=unit)
    root = user_create_or_update(username="root.cu", full_name="Gốc", is_superuser=True)
    assert User.objects.get(pk=clerk.pk).is_staff is True
    migration = importlib.import_module("motcua.accounts.migrations.0004_staff_only_admins")
    migration.staff_only_admins(apps, None)
    staff = dict(User.objects.values_list("username", "is_staff"))
    assert staff == {"clerk.cu": False, "admin.cu": True, "root.cu": True}
    assert root.is_superuser
