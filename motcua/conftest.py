"""Fixtures shared by the apps' tests: the Bắc Kạn world, loaded once per test module."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.catalog.services import load_demo_catalog
from motcua.units.services import load_bac_kan


@pytest.fixture(scope="module")
def bac_kan_world(django_db_setup, django_db_blocker):
    """Units and the demo catalogue, once for the module (rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_bac_kan()
        load_demo_catalog()
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def bac_kan_2024(bac_kan_world, django_db_blocker):
    """The Bắc Kạn 2024 scenario on top of the world, once for the module."""
    from motcua.demo.scenario import BAC_KAN_2024, load_scenario

    with django_db_blocker.unblock(), transaction.atomic():
        yield load_scenario(BAC_KAN_2024)
        transaction.set_rollback(True)
