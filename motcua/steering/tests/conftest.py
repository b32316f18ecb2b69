"""The steering tests' world: the Bắc Kạn units and catalogue, the steering demo (the seed's
values, targets and working groups) and four people with different rights, once per module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction
from django.test import Client

from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.demo.steering import load_demo
from motcua.units.selectors import unit_at

SEED_DAY = date(2024, 5, 22)


@dataclass(frozen=True)
class Person:
    username: str
    role: Role
    unit_code: str


PEOPLE = {
    "city_leader": Person("lanhdao.thanhpho", Role.LEADER, "058"),
    "ward_leader": Person("lanhdao.ducxuan", Role.LEADER, "01840"),
    "viewer": Person("bcd.thanhpho", Role.STEERING, "058"),
    "clerk": Person("motcua.thanhpho", Role.CLERK, "058"),
}


def make_people() -> None:
    for person in PEOPLE.values():
        user = user_create_or_update(
            username=person.username, full_name=f"Người thử {person.username}", password="x"
        )
        role_grant(user=user, role=person.role, unit=unit_at(person.unit_code, SEED_DAY))


@pytest.fixture(scope="module")
def steering_world(bac_kan_world, django_db_blocker):
    """Units, catalogue, people and the steering demo, once for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        make_people()
        yield load_demo()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def steering_2024(bac_kan_2024, django_db_blocker):
    """The Bắc Kạn 2024 dossiers as well, with people and the steering demo."""
    with django_db_blocker.unblock(), transaction.atomic():
        make_people()
        yield load_demo()
        transaction.set_rollback(True)


def signed_in(key: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=PEOPLE[key].username))
    return client


@pytest.fixture
def city():
    return unit_at("058", SEED_DAY)


@pytest.fixture
def ward():
    return unit_at("01840", SEED_DAY)
