"""Fixtures shared by the apps' tests: the Bắc Kạn world, loaded once per test module."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.catalog.services import load_demo_catalog
from motcua.units.services import load_bac_kan


@pytest.fixture(scope="module")
def bac_kan_world(django_db_setup, django_db_blocker, snapshots):
    """Units and the demo catalogue, once for the module (rolled back at its end); built once
    per session, restored in later modules (conftest.py ``Snapshots``)."""

    def build() -> None:
        load_bac_kan()
        load_demo_catalog()

    with django_db_blocker.unblock(), transaction.atomic():
        snapshots.load("bac_kan_world", build)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def bac_kan_2024(bac_kan_world, django_db_blocker, snapshots):
    """The Bắc Kạn 2024 scenario on top of the world, once for the module."""
    from motcua.demo.scenario import BAC_KAN_2024, load_scenario

    with django_db_blocker.unblock(), transaction.atomic():
        yield snapshots.load("bac_kan_2024", lambda: load_scenario(BAC_KAN_2024))
        transaction.set_rollback(True)
