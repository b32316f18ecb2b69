"""The contract simulator as a separate process on 127.0.0.1 (a free port), for the module;
its state is reset before each test. ``national_on`` points the settings at it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from motcua.lib.tests.servers import free_port, server_process

USERNAME, PASSWORD = "motcua", "sim-secret"


class Simulator:
    def __init__(self, url: str) -> None:
        self.url = url

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def dossiers(self) -> dict[str, Any]:
        return self._call("GET", "/_sim/dossiers")

    def received(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_sim/received")

    def problems(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_sim/problems")

    def fault(self, kind: str, **options: Any) -> Any:
        return self._call("POST", "/_sim/faults", {"kind": kind, **options})

    def catalog(self, items: list[dict[str, Any]]) -> Any:
        return self._call("POST", "/_sim/catalog", items)

    def reset(self) -> None:
        self._call("POST", "/_sim/reset", {})


@pytest.fixture(scope="session")
def simulator_process(tmp_path_factory):
    state = Path(tmp_path_factory.mktemp("national-sim"))
    port = free_port()
    sim = Simulator(f"http://127.0.0.1:{port}")
    with server_process(
        "motcua.national.simulator",
        "--state-dir",
        str(state),
        "--username",
        USERNAME,
        "--password",
        PASSWORD,
        port=port,
        ready=lambda: sim._call("GET", "/_sim/health"),
        name="the national portal simulator",
    ):
        yield sim


@pytest.fixture
def simulator(simulator_process):
    simulator_process.reset()
    return simulator_process


@pytest.fixture
def national_on(settings, simulator):
    """MOTCUA_NATIONAL pointed at the simulator: the world's province (06) maps to one
    national unit code; a 1 s time-out so time-out faults stay short."""
    settings.MOTCUA_NATIONAL = {
        **settings.MOTCUA_NATIONAL,
        "ENABLED": True,
        "AUTH_URL": simulator.url + "/auth",
        "SERVICE_URL": simulator.url + "/service",
        "USERNAME": USERNAME,
        "PASSWORD": PASSWORD,
        "UNIT_CODES": "06=000.00.00.H06",
        "TIMEOUT_SECONDS": 1,
        "RETRY_SECONDS": 0,
        "BATCH_SIZE": 50,
    }
    return simulator
