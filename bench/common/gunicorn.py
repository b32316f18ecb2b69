"""gunicorn for a benchmark: 2 workers on 127.0.0.1 and a free port, started and waited for
(bench/pages, bench/api)."""

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
    """The server process and its base address, once ``ready_path`` answers 200."""
    from conftest import _free_port

    port = _free_port()
    output = log.open("ab")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "motcua.wsgi:application",
         "--workers", "2", "--bind", f"127.0.0.1:{port}", "--timeout", str(timeout), *extra],
        cwd=cwd, env=env, stdout=output, stderr=output,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + ready_path, timeout=5) as r:  # noqa: S310
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not answer")
