import pytest

from motcua.catalog.tests.factories import city_agencies


@pytest.fixture
def agencies(db):
    return city_agencies()
