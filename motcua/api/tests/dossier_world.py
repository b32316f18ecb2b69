"""The small dossier world (``dossiers/tests/world.py``) with machine clients of the API: a
client of the city (clerk and officer of Thành phố Bắc Kạn) and one of another ward, and the
bearer headers of their tokens. Shared by the dossier, action and submission tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from motcua.api.models import ApiClient
from motcua.api.services import client_create, token_issue
from motcua.dossiers.tests.world import World, build_world


@dataclass
class ApiWorld:
    world: World
    city: ApiClient
    other: ApiClient

    def headers(self, client: ApiClient, scopes: Sequence[str] | None = None, **extra: str):
        token, _claims = token_issue(client=client, scopes=scopes)
        return {"Authorization": f"Bearer {token}", **extra}


ALL = ["dossiers:read", "dossiers:act", "dossiers:submit"]


def build_api_world() -> ApiWorld:
    world = build_world()
    city, _ = client_create(
        name="LGSP thành phố", scopes=ALL, unit_codes=["058"], roles=["clerk", "officer"]
    )
    other, _ = client_create(
        name="Phần mềm phường Sông Cầu", scopes=ALL, unit_codes=["01837"], roles=["clerk"]
    )
    return ApiWorld(world, city, other)
