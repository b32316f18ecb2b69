"""Fixtures for dossier tests; the world itself is built in ``world.py``."""

from __future__ import annotations

import pytest

from motcua.dossiers.tests.world import World, build_world, local

__all__ = ["local", "world"]


@pytest.fixture
def world(db) -> World:
    return build_world()
