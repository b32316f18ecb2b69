"""Test harness: SQLite by default; a real PostgreSQL server with MOTCUA_TEST_DB=postgres.

The PostgreSQL pass creates a throw-away cluster from the machine's own binaries in a temporary
folder, runs it as the ``postgres`` system user when we are root (initdb refuses root), points
Django at it, and removes it afterwards (notes/dependencies-verified.md §4). In that pass only
tests that touch the database run: the pure ones already ran in the SQLite pass.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

DB_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "client", "admin_client"}


def postgres_wanted() -> bool:
    return os.environ.get("MOTCUA_TEST_DB", "sqlite") == "postgres"


def postgres_bindir() -> str | None:
    """The newest PostgreSQL (15 or later) server binaries on this machine, if any."""
    found = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        version = initdb.split("/")[4]
        if version.isdigit() and int(version) >= 15:
            found.append((int(version), os.path.dirname(initdb)))
    return max(found)[1] if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(cmd: list[str]) -> None:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not postgres_wanted():
        return
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (keep if uses_db else drop).append(item)
    items[:] = keep
    config.hook.pytest_deselected(items=drop)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[dict[str, Any]]:
    bindir = postgres_bindir()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "PostgreSQL 15+ binaries are missing; scripts/dev.py installs them under CI"
            )
        pytest.skip("PostgreSQL 15+ server binaries not found: PostgreSQL tests skipped")
    base = tempfile.mkdtemp(prefix="motcua-pg-")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = os.path.join(base, "data")
    port = _free_port()
    _as_postgres(
        [
            f"{bindir}/initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    opts = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l", f"{base}/log", "-w", "start"])
    try:
        yield {"host": "127.0.0.1", "port": port, "user": "postgres", "bindir": bindir}
    finally:
        _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request: pytest.FixtureRequest) -> None:
    """pytest-django hook: runs before the test database is created."""
    if not postgres_wanted():
        return
    from django.db import connections

    cluster = request.getfixturevalue("pg_cluster")
    # Django has already read the SQLite settings: replace them where the connection
    # handler keeps them, and drop any connection made with the old ones.
    connections.settings["default"] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.postgresql",
        "HOST": cluster["host"],
        "PORT": str(cluster["port"]),
        "USER": cluster["user"],
        "PASSWORD": "",
        "NAME": "motcua",
        "OPTIONS": {},
        "CONN_MAX_AGE": 0,
    }
    del connections["default"]
    # Subprocesses started by tests (the CLI, concurrency tests) reach the same server.
    os.environ["MOTCUA_TEST_PG"] = f"postgresql://postgres@127.0.0.1:{cluster['port']}/"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request in English must not leak into the
    next test's command output (Django's LocaleMiddleware leaves the thread's language set)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
