"""The signed-in person of a request (``accounts.backends.StaffBackend``) is the user Django's
``ModelBackend`` reads, with her grants and the units' tree token read in the same statement
(issue 17: the four reads before a staff page's own work were 2,7 ms of it)."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.accounts.access import user_agency_grants, user_grants
from motcua.accounts.backends import StaffBackend
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.dossiers.tests.world import build_world

PAGE = "/mot-cua/hang-doi/"


@pytest.fixture
def clerk(db) -> User:
    """The small world's clerk (granted at the city's desk) with a second grant and a
    moment of last sign-in, as the backend must read them back."""
    world = build_world()
    role_grant(user=world.clerk, role=Role.LEADER, unit=world.province)
    User.objects.filter(pk=world.clerk.pk).update(last_login=timezone.now())
    return User.objects.get(pk=world.clerk.pk)


def fields(user: User) -> dict[str, object]:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_it_reads_the_user_as_django_does_with_her_grants(clerk):
    expected = ModelBackend().get_user(clerk.pk)
    assert expected is not None
    with CaptureQueriesContext(connection) as captured:
        user = StaffBackend().get_user(clerk.pk)
        assert user is not None
        grants = sorted(user_grants(user))
        desks = user_agency_grants(user)
    assert len(captured.captured_queries) == 1
    # Every column as the ORM converts it (aware moments on SQLite too).
    assert fields(user) == fields(expected)
    assert user.last_login is not None
    assert user.last_login.tzinfo is not None
    assert grants == sorted(user_grants(expected))
    assert desks == user_agency_grants(expected) != []


def test_a_user_without_grants_has_none(db):
    user = user_create_or_update(username="moi", full_name="Người Mới")
    found = StaffBackend().get_user(user.pk)
    assert found is not None
    assert user_grants(found) == []
    assert user_agency_grants(found) == []


def test_an_inactive_unknown_or_malformed_user_is_nobody(clerk):
    assert StaffBackend().get_user(clerk.pk + 1000) is None
    assert StaffBackend().get_user(str(clerk.pk)) is None
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    assert StaffBackend().get_user(clerk.pk) is None


@pytest.mark.django_db(transaction=True)
def test_a_staff_page_reads_the_session_then_the_user_with_her_grants_and_the_tree(clerk):
    """Outside a transaction (as production serves a page) the tree's token comes with the
    user: no statement of its own, nor one for the grants."""
    client = Client()
    client.force_login(clerk)
    assert client.get(PAGE).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    sql = [query["sql"] for query in captured.captured_queries]
    assert "django_session" in sql[0]
    assert "accounts_roleassignment" in sql[1]
    assert "units_treeversion" in sql[1]
    assert not [q for q in sql[2:] if "units_treeversion" in q or "accounts_roleassignment" in q]


def test_a_session_of_an_unknown_key_is_empty(clerk):
    client = Client()
    client.cookies["sessionid"] = "x" * 32
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")
