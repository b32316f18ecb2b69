"""Fixtures for the forms' tests: the demo world and a dossier received at the city's counter."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Component
from motcua.dossiers.tests.world import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def dossier(world: World) -> Dossier:
    """Received at the city's counter on Monday 08/01/2024 at 08:05."""
    return world.create(
        at="08/01/2024 08:05",
        applicant=Applicant(
            name="Nguyễn Thị Ánh Tuyết",
            id_number="006190012345",
            phone="0912345678",
            email="tuyet@example.vn",
            address="Tổ 7, phường Đức Xuân",
        ),
        components=[
            Component("Tờ khai chứng thực hợp đồng", originals=1),
            Component("Giấy chứng nhận quyền sử dụng đất", certified_copies=2, photocopies=1),
        ],
    )
