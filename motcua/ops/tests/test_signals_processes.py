"""/metrics under `motcua serve` with two gunicorn worker processes and
PROMETHEUS_MULTIPROC_DIR (docs/deployment.md, "Several processes"): whichever worker answers
a scrape, it reports every request both answered."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "multiprocess-metrics-token-0123456789"
REQUESTS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Connection": "close", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _login_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "motcua_http_request_duration_seconds_count"
                and sample.labels.get("route") == "login"
                and sample.labels.get("status") == "2xx"
            ):
                return sample.value
    return 0.0


def test_every_worker_process_reports_every_request(tmp_path, process_databases):
    from motcua.dossiers.tests.test_concurrency import worker as concurrency_setup

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MOTCUA_DATA_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "motcua.test_settings"
    env, _ = process_databases.fresh(
        "concurrency", env, tmp_path / "data", lambda setup: concurrency_setup(setup, "setup")
    )
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    port = _free_port()
    env.update(
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        MOTCUA_METRICS_TOKEN=TOKEN,
        MOTCUA_METRICS_ALLOW="10.0.0.0/8",  # not this machine: the token is needed
        MOTCUA_WORKER_STALE_SECONDS="0",
        MOTCUA_METRICS_CACHE_SECONDS="0",
    )
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "motcua", "serve", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--threads", "2", "--no-collectstatic"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        for _ in range(REQUESTS):  # a new connection each: the two processes share them
            assert _get(f"{base}/dang-nhap/")[0] == 200
        counts = []
        for _ in range(8):
            status, text = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
            assert status == 200, text
            counts.append(_login_count(text))
        assert _get(f"{base}/metrics")[0] == 403
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
        process_databases.drop(env)
    assert counts == [REQUESTS] * len(counts)
    # Both processes wrote observations (one file per process): the sums cover them both.
    writers = {path.name.rsplit("_", 1)[1] for path in metrics_dir.glob("histogram_*.db")}
    assert len(writers) == 2, sorted(path.name for path in metrics_dir.iterdir())
