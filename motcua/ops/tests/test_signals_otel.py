"""The optional OpenTelemetry exporter (docs/deployment.md, "Signals"): with
MOTCUA_OTEL_ENDPOINT set, a request in a separate process sends an OTLP/HTTP export to a
receiver process on 127.0.0.1 holding the request's span and its SQL statements' spans;
without it, OpenTelemetry is not even imported."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# A request to /readyz (which reads the database) in a fresh process, then the process exits
# (the SDK flushes its batch at exit); prints the response's request id and what it imported.
CLIENT = """
import sys, django
django.setup()
from django.test import Client
from motcua.lib.requestid import REQUEST_ID
response = Client().get("/dang-nhap/", HTTP_ACCEPT="text/html")
print(response.status_code, response["X-Request-ID"])
Client().get("/readyz")
print(any(name.startswith("opentelemetry") for name in sys.modules))
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "motcua.test_settings",
        "MOTCUA_DATA_DIR": str(tmp_path),
        "MOTCUA_WORKER_STALE_SECONDS": "0",
        **extra,
    }


def _client(env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_without_an_endpoint_nothing_is_imported(tmp_path):
    status, request_id, imported = _client(_env(tmp_path))
    assert status == "200"
    assert len(request_id) == 32
    assert imported == "False"


def test_a_request_is_exported_to_the_collector(tmp_path):
    # The [otel] extra is in the dev extras the test command installs: no skip.
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
    )

    received = tmp_path / "received.jsonl"
    receiver = subprocess.Popen(
        [sys.executable, "-m", "motcua.ops.tests.otlp_receiver", str(received)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(receiver.stdout.readline())
        env = _env(
            tmp_path,
            MOTCUA_OTEL_ENDPOINT=f"http://127.0.0.1:{port}",
            MOTCUA_OTEL_SERVICE_NAME="motcua-test",
        )
        status, request_id, imported = _client(env)
        assert (status, imported) == ("200", "True")
        deadline = time.monotonic() + 20
        while not received.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)
    posts = [json.loads(line) for line in received.read_text().splitlines()]
    assert posts, "no OTLP export reached the receiver"
    assert {post["path"] for post in posts} == {"/v1/traces"}
    assert {post["content_type"] for post in posts} == {"application/x-protobuf"}
    spans, services = [], set()
    for post in posts:
        export = ExportTraceServiceRequest()
        export.ParseFromString(base64.b64decode(post["body"]))
        for resource_spans in export.resource_spans:
            for attribute in resource_spans.resource.attributes:
                if attribute.key == "service.name":
                    services.add(attribute.value.string_value)
            for scope in resource_spans.scope_spans:
                spans.extend(scope.spans)
    assert services == {"motcua-test"}

    def attributes(span) -> dict:
        return {a.key: a.value.string_value or a.value.int_value for a in span.attributes}

    server = [s for s in spans if s.kind == s.SPAN_KIND_SERVER]
    page = next(s for s in server if attributes(s).get("motcua.request_id") == request_id)
    assert "login" in page.name or "dang-nhap" in page.name
    statements = [s for s in spans if attributes(s).get("db.system") == "sqlite"]
    assert any("SELECT 1" in attributes(s)["db.statement"] for s in statements)
    # Statements carry placeholders, never their parameters.
    assert all(request_id not in str(attributes(s)) for s in statements)
