"""``motcua serve`` as an operator runs it: production settings, SQLite in a temporary data
folder, a real gunicorn on a free port of 127.0.0.1 (issue 15, "A serving stack").

One server for the module (starting one takes seconds), configured with a read replica: a
second SQLite file, a copy of the primary, where one row differs, so a page shows which
database it read."""

from __future__ import annotations

import gc
import json
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from motcua.ops.management.commands.serve import freeze_when_warm
from motcua.ops.tests.nginx import (
    MOTCUA,
    ROOT,
    Web,
    fetch,
    migrated_data_dir,
    production_env,
    web_process,
)


def _add_field(database: Path, code: str, name: str) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO catalog_field (code, name) VALUES (?, ?)", (code, name))


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    data_dir = migrated_data_dir(tmp_path_factory, "serve")
    replica = data_dir / "replica.sqlite3"
    shutil.copy2(data_dir / "motcua.sqlite3", replica)
    # What replication has not brought over yet, and what only the replica has.
    _add_field(data_dir / "motcua.sqlite3", "primary-only", "Lĩnh vực chỉ ở máy chính")
    _add_field(replica, "replica-only", "Lĩnh vực chỉ ở bản sao")
    env = {
        "MOTCUA_SSL_REDIRECT": "false",
        "MOTCUA_DATABASE_REPLICA_URL": f"sqlite:///{replica}",
    }
    with web_process(data_dir=data_dir, env=env, workers=2) as server:
        yield server


def test_refuses_a_database_with_migrations_not_applied(tmp_path):
    result = subprocess.run(
        [*MOTCUA, "serve", "--bind", "127.0.0.1:1"],
        env=production_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "motcua migrate" in result.stderr
    assert "units.0001_initial" in result.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--workers", "0"], "--workers"),
        (["--threads", "many"], "--threads"),
        (["--bind", "8000"], "--bind"),
    ],
)
def test_bad_options_are_refused_naming_the_option(tmp_path, args, named):
    result = subprocess.run(
        [*MOTCUA, "serve", *args],
        env=production_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert named in result.stderr


def test_static_files_hashed_compressed_and_cached(web: Web):
    status, headers, body, _ = fetch(web.url + "/dang-nhap/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    page = body.decode()
    css = re.search(r'href="(/static/css/motcua\.[0-9a-f]{12}\.css)"', page)
    assert css, "the login page links its style sheet by a hashed name"
    manifest = json.loads((web_static_root(web) / "staticfiles.json").read_text())["paths"]
    wanted = {
        css[1]: "text/css",
        "/static/" + manifest["reports/dashboard.js"]: "text/javascript",
        "/static/" + manifest["admin/css/base.css"]: "text/css",
    }
    for url, content_type in wanted.items():
        status, headers, body, _ = fetch(web.url + url, headers={"Accept-Encoding": "gzip"})
        assert status == 200, url
        assert headers["content-type"].startswith(content_type), (url, headers)
        assert "immutable" in headers["cache-control"]
        assert "max-age=315360000" in headers["cache-control"]
        assert headers.get("content-encoding") == "gzip", url
    assert fetch(web.url + "/static/css/no-such-file.css")[0] == 404
    assert fetch(web.url + "/static/" + manifest["reports/dashboard.js"] + "x")[0] == 404


def web_static_root(web: Web) -> Path:
    return Path(web.env["MOTCUA_STATIC_ROOT"])


def test_portal_pages_read_the_replica_and_the_rest_the_primary(web: Web):
    status, _, body, _ = fetch(web.url + "/dich-vu-cong/")
    assert status == 200
    page = body.decode()
    assert "Lĩnh vực chỉ ở bản sao" in page
    assert "Lĩnh vực chỉ ở máy chính" not in page
    # A search with a field only the primary has is refused: the replica decides (400).
    assert fetch(web.url + "/dich-vu-cong/?field=primary-only")[0] == 400


def test_sigterm_stops_gracefully(web: Web):
    # Last in the module: it stops the module's server.
    assert fetch(web.url + "/dang-nhap/")[0] == 200
    started = time.monotonic()
    web.process.terminate()
    assert web.process.wait(30) == 0
    assert time.monotonic() - started < 30
    assert "Traceback" not in web.log.read_text()


def test_a_worker_freezes_what_it_holds_once_warm_and_only_once():
    """``freeze_when_warm``: the objects a warm worker holds leave the collector's sweep after
    its ``after``-th request, not before (its caches are not full yet), and not again."""
    post_request = freeze_when_warm(3)
    gc.unfreeze()
    try:
        for _ in range(2):
            post_request(None, None, {}, None)
        assert gc.get_freeze_count() == 0
        post_request(None, None, {}, None)
        assert gc.get_freeze_count() > 0
        gc.unfreeze()
        for _ in range(5):
            post_request(None, None, {}, None)
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
