"""Helpers for the API's tests (other routers' tests use them too): a machine client, its
token, and requests with it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.test import Client

from motcua.api.models import ApiClient
from motcua.api.services import client_create

FORM = "application/x-www-form-urlencoded"
ROOT = Path(__file__).resolve().parents[3]


def make_client(
    scopes: list[str], units: list[str], roles: list[str] | None = None, **kw: Any
) -> tuple[ApiClient, str]:
    """A machine client (``client_create``) and its secret."""
    return client_create(
        name=kw.pop("name", "Test system"), scopes=scopes, unit_codes=units, roles=roles or [], **kw
    )


def token_response(http: Client, client_id: str, secret: str, **form: str) -> Any:
    """``POST /api/v1/oauth/token`` with HTTP Basic credentials."""
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    body = urlencode({"grant_type": "client_credentials", **form})
    return http.post(
        "/api/v1/oauth/token", body, content_type=FORM, headers={"Authorization": f"Basic {basic}"}
    )


def bearer(http: Client, client: ApiClient, secret: str, **form: str) -> dict[str, str]:
    """The ``Authorization`` header of a fresh token for ``client``."""
    answer = token_response(http, client.client_id, secret, **form)
    assert answer.status_code == 200, answer.content
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def setup_in_child(module: str):  # type: ignore[no-untyped-def]
    """A ``ProcessDatabases.fresh`` builder: run ``python -m module`` (it prepares the fresh
    database and prints JSON) and return what it printed."""
    import json
    import subprocess
    import sys

    def build(env: dict[str, str]) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-m", module],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return build


def free_port() -> int:
    """A free port of 127.0.0.1 (conftest's)."""
    from conftest import _free_port

    return _free_port()
