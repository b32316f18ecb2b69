"""The test OpenID Connect provider as a separate process on 127.0.0.1 (a free port), for the
session; its state is reset before each test. ``oidc_on`` points the settings at it."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from motcua.citizens import oidc
from motcua.lib.tests.servers import free_port, server_process

CLIENT_ID, CLIENT_SECRET = "motcua-test", "motcua-test-secret"


class TestProvider:
    __test__ = False  # not a test class

    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def mode(self, mode: str, citizen: str = "an") -> None:
        self.call("POST", "/_control/mode", {"mode": mode, "citizen": citizen})

    def log(self) -> list[dict[str, Any]]:
        return self.call("GET", "/_control/log")


@pytest.fixture(scope="session")
def provider_process():
    port = free_port()
    provider = TestProvider(f"http://127.0.0.1:{port}")
    with server_process(
        "motcua.citizens.testprovider",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        port=port,
        ready=lambda: provider.call("GET", "/_control/health"),
        name="the test OIDC provider",
    ):
        yield provider


@pytest.fixture
def oidc_on(settings, provider_process):
    """Sign-in configured against the test provider (reset: mode ok, citizen An)."""
    provider_process.call("POST", "/_control/reset", {})
    settings.MOTCUA_OIDC_ISSUER = provider_process.url
    settings.MOTCUA_OIDC_CLIENT_ID = CLIENT_ID
    settings.MOTCUA_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.MOTCUA_BASE_URL = ""  # the callback on the test client's own host
    oidc.cache_clear()
    yield provider_process
    oidc.cache_clear()


# The portal's own fixtures: files as a browser sends them, and a working morning.
from motcua.portal.tests.conftest import media, pdf_upload, working_clock  # noqa: E402, F401
