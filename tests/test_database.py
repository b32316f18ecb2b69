import os

import pytest
from django.db import connection

from motcua.units.models import AdministrativeUnit


@pytest.mark.django_db
def test_it_runs_on_the_database_the_pass_asks_for():
    expected = "postgresql" if os.environ.get("MOTCUA_TEST_DB") == "postgres" else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_it_stores_vietnamese_text_intact():
    AdministrativeUnit.objects.create(code="01834", name="Phường Nguyễn Thị Minh Khai", kind="ward")
    assert AdministrativeUnit.objects.get(code="01834").name == "Phường Nguyễn Thị Minh Khai"
