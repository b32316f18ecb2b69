"""The payment sandbox as a separate process on 127.0.0.1 (a free port), for the session; its
state is reset before each test. ``gateways_on`` points the settings at it and, with the
``live_server``, points the sandbox's callbacks at the app under test."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from django.urls import reverse

from motcua.dossiers.tests.world import World, build_world
from motcua.lib.tests.servers import free_port, server_process

VNPAY_TMN, VNPAY_SECRET = "MOTCUA01", "vnpay-test-secret"
PAYGOV_PARTNER, PAYGOV_SECRET, PAYGOV_TOKEN = "MOTCUA", "paygov-test-secret", "paygov-token"


class Sandbox:
    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def scenario(self, name: str, times: int = 1) -> None:
        self.call("POST", "/_sandbox/scenario", {"scenario": name, "times": times})

    def sent(self) -> list[dict[str, Any]]:
        return self.call("GET", "/_sandbox/sent")

    def answers(self) -> list[str]:
        """The merchant's answer codes to the callbacks sent, in order."""
        out = []
        for entry in self.sent():
            answer = entry["answer"]
            if isinstance(answer, dict):
                out.append(answer.get("RspCode", answer.get("error_code")))
            else:
                out.append(str(entry["status"]))
        return out

    def statement(self, provider: str = "vnpay") -> bytes:
        with urllib.request.urlopen(
            f"{self.url}/_sandbox/statement?provider={provider}", timeout=30
        ) as response:
            return response.read()


@pytest.fixture(scope="session")
def sandbox_process():
    port = free_port()
    sandbox = Sandbox(f"http://127.0.0.1:{port}")
    with server_process(
        "motcua.onlinepay.sandbox",
        "--vnpay-tmn",
        VNPAY_TMN,
        "--vnpay-secret",
        VNPAY_SECRET,
        "--paygov-partner",
        PAYGOV_PARTNER,
        "--paygov-secret",
        PAYGOV_SECRET,
        "--paygov-token",
        PAYGOV_TOKEN,
        port=port,
        ready=lambda: sandbox.call("GET", "/_sandbox/health"),
        name="the payment sandbox",
    ):
        yield sandbox


@pytest.fixture
def sandbox(sandbox_process):
    sandbox_process.call("POST", "/_sandbox/reset", {})
    return sandbox_process


@pytest.fixture
def gateways_on(settings, sandbox):
    """Both gateways' settings pointed at the sandbox."""
    settings.MOTCUA_VNPAY = {"TMN_CODE": VNPAY_TMN, "SECRET": VNPAY_SECRET, "BASE_URL": sandbox.url}
    settings.MOTCUA_PAYGOV = {
        **settings.MOTCUA_PAYGOV,
        "URL": sandbox.url + "/paygov/api",
        "PARTNER_CODE": PAYGOV_PARTNER,
        "SECRET": PAYGOV_SECRET,
        "TOKEN": PAYGOV_TOKEN,
    }
    settings.MOTCUA_ONLINEPAY = {**settings.MOTCUA_ONLINEPAY, "TIMEOUT_SECONDS": 30}
    return sandbox


@pytest.fixture
def live(gateways_on, live_server, settings):
    """The sandbox's callbacks and browser returns go to the app under test."""
    settings.MOTCUA_BASE_URL = live_server.url
    gateways_on.call(
        "POST",
        "/_sandbox/config",
        {
            "vnpay_ipn_url": live_server.url + reverse("onlinepay:vnpay_ipn"),
            "paygov_callback_url": live_server.url + reverse("onlinepay:national_callback"),
            "paygov_return_url": live_server.url + reverse("onlinepay:return", args=["national"]),
        },
    )
    return gateways_on


@pytest.fixture
def world(transactional_db) -> World:
    return build_world()
