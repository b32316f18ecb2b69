"""Fixtures of the reports' tests."""

from __future__ import annotations

import pytest

from motcua.reports.tests.town import Town, build_town


@pytest.fixture
def town(db) -> Town:
    """A district of its own with two communes (``town.Town``), for one test."""
    return build_town()
