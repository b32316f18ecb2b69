"""The app served for a benchmark: 2 processes on 127.0.0.1 and a free port, started and
waited for (bench/pages: as production serves it; bench/api: gunicorn's sync workers)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path


def start_gunicorn(
    env: dict[str, str],
    *,
    log: Path,
    ready_path: str,
    timeout: int = 60,
    cwd: str | Path,
    extra: Sequence[str] = (),
) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn's default (sync) workers: the server process and its base address, once
    ``ready_path`` answers 200."""
    port = _port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "motcua.wsgi:application",
               "--workers", "2", "--bind", f"127.0.0.1:{port}",
               "--timeout", str(timeout), *extra]  # fmt: skip
    return _started(command, port, env, log=log, ready_path=ready_path, cwd=cwd)


def start_served(
    env: dict[str, str],
    *,
    log: Path,
    ready_path: str,
    timeout: int = 60,
    cwd: str | Path,
) -> tuple[subprocess.Popen[bytes], str]:
    """The app as production serves it: ``motcua serve`` (gunicorn, gthread workers, the app
    preloaded: motcua/ops/management/commands/serve.py), with 2 processes of its default
    threads: the server process and its base address, once ``ready_path`` answers 200."""
    port = _port()
    # ``-m``: the code of ``cwd`` is imported (a tree compared with another), as gunicorn does.
    command = [sys.executable, "-m", "motcua", "serve", "--no-collectstatic",
               "--workers", "2", "--bind", f"127.0.0.1:{port}"]  # fmt: skip
    env = env | {"MOTCUA_WEB_TIMEOUT_SECONDS": str(timeout)}
    return _started(command, port, env, log=log, ready_path=ready_path, cwd=cwd)


def _port() -> int:
    from conftest import _free_port

    return int(_free_port())


def _started(
    command: list[str],
    port: int,
    env: dict[str, str],
    *,
    log: Path,
    ready_path: str,
    cwd: str | Path,
) -> tuple[subprocess.Popen[bytes], str]:
    output = log.open("ab")
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + ready_path, timeout=5) as r:  # noqa: S310
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not answer")
