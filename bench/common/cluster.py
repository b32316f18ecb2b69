"""A PostgreSQL cluster kept under var/bench/<name>-pg, started and stopped by a benchmark.

As the test harness does (conftest.py): the server binaries found by ``postgres_bindir``, run
as the ``postgres`` user when we are root, listening on 127.0.0.1 on a free port. Settings are
for loading speed (no fsync): a benchmark database is rebuilt, never restored.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from conftest import _as_postgres, _free_port, postgres_bindir  # noqa: E402

BASE = ROOT / "var" / "bench"


def _pg_ctl(bindir: str, *args: str) -> list[str]:
    cmd = [f"{bindir}/pg_ctl", *args]
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def running_url(name: str) -> str | None:
    """The URL of the cluster var/bench/<name>-pg if a server is up on it, else None."""
    bindir = postgres_bindir()
    data = BASE / f"{name}-pg" / "data"
    if bindir is None or not data.exists():
        return None
    status = subprocess.run(_pg_ctl(bindir, "-D", str(data), "status"), capture_output=True)
    if status.returncode != 0:
        return None
    port = (data / "postmaster.pid").read_text().splitlines()[3].strip()
    return f"postgresql://postgres@127.0.0.1:{port}/"


def start_cluster(name: str, extra: str = "", reuse: bool = False) -> tuple[str, str, str, bool]:
    """Start (creating on first use) the cluster var/bench/<name>-pg; returns (url, bindir,
    data dir, started). ``extra`` adds server options (``-c name=value`` ...). ``reuse``: a
    server already up (another run still loading) is used as it is, and ``started`` is False:
    the caller must then leave it up."""
    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL 15+ server binaries not found")
    home = BASE / f"{name}-pg"
    data = home / "data"
    home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(BASE, "postgres", "postgres")
        shutil.chown(home, "postgres", "postgres")
    if not data.exists():
        _as_postgres(
            [f"{bindir}/initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E",
             "UTF8", "--locale=C.UTF-8"]
        )  # fmt: skip
    if reuse and (url := running_url(name)):
        return url, bindir, str(data), False
    # A run killed before its end leaves the server up: stop it, then start on a new port.
    if (
        subprocess.run(_pg_ctl(bindir, "-D", str(data), "status"), capture_output=True).returncode
        == 0
    ):
        stop_cluster(bindir, str(data))
    port = _free_port()
    opts = (
        f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB "
        "-c work_mem=64MB -c maintenance_work_mem=1GB -c max_wal_size=8GB "
        f"-c checkpoint_timeout=30min -c jit=off {extra}"
    )
    _as_postgres(
        [f"{bindir}/pg_ctl", "-D", str(data), "-o", opts, "-l", str(home / "log"), "-w", "start"]
    )
    return f"postgresql://postgres@127.0.0.1:{port}/", bindir, str(data), True


def stop_cluster(bindir: str, data: str) -> None:
    _as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
