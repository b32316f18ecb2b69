"""The test OpenID Connect provider as a separate process on 127.0.0.1 (a free port), for the
session; its state is reset before each test. ``oidc_on`` points the settings at it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest

from motcua.citizens import oidc

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def provider_process():
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "motcua.citizens.testprovider",
            "--port",
            str(port),
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    provider = TestProvider(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 15
    while True:
        try:
            provider.call("GET", "/_control/health")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the test OIDC provider did not start") from None
            time.sleep(0.05)
    yield provider
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout:
        process.stdout.close()


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
