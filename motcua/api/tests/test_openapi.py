"""The OpenAPI document at /api/v1/openapi.json is valid OpenAPI 3.1 (openapi-spec-validator),
names every operation, and declares the OAuth2 client credentials flow with every scope."""

from __future__ import annotations

import pytest
from django.test import Client
from openapi_spec_validator import validate

from motcua.api.choices import Scope

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_valid():
    answer = Client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path in (
        "/api/v1/oauth/token",
        "/api/v1/units",
        "/api/v1/units/{code}",
        "/api/v1/agencies",
        "/api/v1/procedures",
        "/api/v1/figures/report",
        "/api/v1/figures/drill",
    ):
        assert path in paths, path
    schemes = document["components"]["securitySchemes"]
    flow = schemes["BearerToken"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/api/v1/oauth/token"
    assert set(flow["scopes"]) == {s.value for s in Scope}
    assert schemes["StaffSession"]["in"] == "cookie"
    report = paths["/api/v1/figures/report"]["get"]
    assert {"BearerToken": ["figures:read"]} in report["security"]
    # Every operation but the token's is protected.
    for path, operations in paths.items():
        for method, operation in operations.items():
            if path != "/api/v1/oauth/token":
                assert operation.get("security"), (method, path)


def test_no_two_schemas_share_a_name():
    """ninja names a schema's component after its class: two classes of one name would make
    the document describe one with the other's fields (found by the contract test)."""
    from ninja import Schema

    from motcua.api.api import api

    api.get_openapi_schema()  # imports every router
    seen: dict[str, str] = {}
    for cls in _subclasses(Schema):
        if not cls.__module__.startswith("motcua.api") or ".tests" in cls.__module__:
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        assert seen.setdefault(cls.__name__, where) == where, (seen[cls.__name__], where)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
