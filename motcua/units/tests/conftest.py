import pytest

from motcua.units.services import LoadReport, load_bac_kan


@pytest.fixture
def bac_kan(db) -> LoadReport:
    """The shipped Bắc Kạn data, loaded through the real loader."""
    return load_bac_kan()
