"""The walkthrough of docs/api.md, run as written: the page's ``python walkthrough`` block is
cut out and run (a process of its own, standard library only) against a live server
(gunicorn) and ``motcua worker``, separate processes on a database of their own
(``ProcessDatabases``, prepared by ``walkthrough_setup``), after subscribing with
``motcua api webhooks create`` as the page says. If the page and the API part ways, this fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from motcua.api.tests.helpers import free_port, setup_in_child

# PostgreSQL only (the production engine): a server, a worker and a migrated database of their
# own take most of a minute, too much to spend twice in CI.
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "api.md"
MOTCUA = [sys.executable, "-m", "motcua"]


def walkthrough_script() -> str:
    """The block of docs/api.md fenced as ``python walkthrough``."""
    found = re.findall(r"^```python walkthrough\n(.*?)^```$", DOC.read_text(), re.S | re.M)
    assert len(found) == 1, "docs/api.md must have exactly one ```python walkthrough block"
    return found[0]


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def test_the_walkthrough_of_docs_api_md_runs(transactional_db, tmp_path, process_databases):
    # transactional_db first: the test server's cluster must outlive process_databases.
    script = tmp_path / "walkthrough.py"
    script.write_text(walkthrough_script())
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MOTCUA_DATA_DIR")}
    env["DJANGO_SETTINGS_MODULE"] = "motcua.test_settings"
    env, client = process_databases.fresh(
        "api-walkthrough",
        env,
        tmp_path / "data",
        setup_in_child("motcua.api.tests.walkthrough_setup"),
    )
    env.setdefault("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    hook_port, web_port = free_port(), free_port()
    # The page's first step: subscribe the client to the script's receiver.
    created = subprocess.run(
        [*MOTCUA, "api", "webhooks", "create", "--client", client["client_id"],
         "--url", f"http://127.0.0.1:{hook_port}/hook", "--unit", "01840", "--kind", "transfer"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    secret = re.search(r"^secret: (\S+)$", created.stdout, re.M)
    assert secret is not None, created.stdout
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    processes = [
        _start(
            [
                gunicorn,
                "motcua.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--timeout",
                "30",
            ],
            env,
            tmp_path / "gunicorn.log",
        ),  # fmt: skip
        _start(
            [*MOTCUA, "worker", "--no-scheduler", "--poll", "0.2"], env, tmp_path / "worker.log"
        ),
    ]
    base = f"http://127.0.0.1:{web_port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=5):  # noqa: S310
                    break
            except OSError:
                assert processes[0].poll() is None, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.2)
        ran = subprocess.run(
            [sys.executable, str(script)],
            env={
                "PATH": os.environ.get("PATH", ""),
                "MOTCUA_URL": base,
                "CLIENT_ID": client["client_id"],
                "CLIENT_SECRET": client["secret"],
                "WARD": "01840",
                "SINCE": since,
                "WEBHOOK_PORT": str(hook_port),
                "WEBHOOK_SECRET": secret.group(1),
            },
            capture_output=True,
            text=True,
            timeout=180,
        )
        logs = "".join(
            f"\n--- {name}\n{(tmp_path / name).read_text()[-3000:]}"
            for name in ("gunicorn.log", "worker.log")
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr + logs
        out = ran.stdout
        assert "2 dossiers of 01840 changed since" in out, out
        assert "(the second call replayed the first answer)" in out, out
        assert "signature verified" in out, out
    finally:
        for process in processes:
            _stop(process)
        process_databases.drop(env)
