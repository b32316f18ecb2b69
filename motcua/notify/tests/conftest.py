"""The local SMS/Zalo gateway as a separate process on 127.0.0.1 (a free port), for the
session; reset before each test. ``gateway_on`` points the settings at it."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from motcua.lib.tests.servers import free_port, server_process

SMS_KEY, ZALO_TOKEN, ZALO_APP, ZALO_SECRET = "sms-k", "zalo-t", "zalo-app", "zalo-s"
SMS_CALLBACK_TOKEN = "receipt-token-0123456789"
TEMPLATES = {"receipt": "301", "supplement": "302", "result": "303", "apology": "304"}


class Gateway:
    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.call("GET", "/_gw/messages") if channel in (None, m["channel"])]

    def fault(self, channel: str, kind: str, times: int = 1) -> None:
        self.call("POST", "/_gw/faults", {"channel": channel, "kind": kind, "times": times})

    def configure(self, **options: Any) -> None:
        self.call("POST", "/_gw/config", options)

    def flush_receipts(self) -> list[dict[str, Any]]:
        return self.call("POST", "/_gw/receipts", {})


@pytest.fixture(scope="session")
def gateway_process():
    port = free_port()
    gateway = Gateway(f"http://127.0.0.1:{port}")
    with server_process(
        "motcua.notify.gateway",
        "--sms-key",
        SMS_KEY,
        "--zalo-token",
        ZALO_TOKEN,
        "--zalo-app-id",
        ZALO_APP,
        "--zalo-secret",
        ZALO_SECRET,
        port=port,
        ready=lambda: gateway.call("GET", "/_gw/health"),
        name="the notification gateway",
    ):
        yield gateway


@pytest.fixture
def gateway(gateway_process):
    gateway_process.call("POST", "/_gw/reset", {})
    gateway_process.configure(sms_callback="", zalo_callback="", auto_receipts=False)
    return gateway_process


@pytest.fixture
def gateway_on(settings, gateway):
    """SMS and Zalo pointed at the gateway; e-mail kept in memory (locmem)."""
    settings.MOTCUA_SMS = {
        "URL": gateway.url + "/sms/send",
        "API_KEY": SMS_KEY,
        "BRANDNAME": "UBND-BACKAN",
        "CALLBACK_TOKEN": SMS_CALLBACK_TOKEN,
    }
    settings.MOTCUA_ZALO = {
        "URL": gateway.url + "/zalo/message/template",
        "ACCESS_TOKEN": ZALO_TOKEN,
        "APP_ID": ZALO_APP,
        "OA_SECRET": ZALO_SECRET,
        "TEMPLATES": dict(TEMPLATES),
    }
    settings.MOTCUA_NOTIFY = {
        "MAX_ATTEMPTS": 3,
        "BACKOFF_SECONDS": 60,
        "TIMEOUT_SECONDS": 1,
        "CALLBACK_MAX_BYTES": 4096,
    }
    settings.MOTCUA_BASE_URL = "http://motcua.backan.example"
    return gateway


def run_queued_tasks() -> int:
    """What ``motcua worker`` does with the queue: claim each ready task, run it and record
    its result, with django-tasks-db's own methods. Used by tests inside a transaction: the
    worker command itself closes the test's connection on PostgreSQL (it checks the
    connection's autocommit); the ``transaction=True`` tests run the command itself."""
    from django_tasks_db.models import DBTaskResult

    done = 0
    while (row := DBTaskResult.objects.ready().order_by("enqueued_at", "pk").first()) is not None:
        row.claim("test-worker")
        arguments = row.args_kwargs
        try:
            value = row.task.call(*arguments["args"], **arguments["kwargs"])
        except Exception as error:
            row.set_failed(error)
            raise
        row.set_successful(value)
        done += 1
    return done
