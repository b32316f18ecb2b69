"""The simulators and stand-ins the tests talk to over real HTTP (the national portal, the
payment sandbox, the test OIDC provider, the notification gateway...), each a separate
process on 127.0.0.1: started, waited for, and stopped the same way."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(
    module: str, *args: str, port: int, ready: Callable[[], Any], name: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m module --port PORT args...`` running until the block ends: ``ready`` is
    called until it stops raising ``OSError`` (15 s at most; a process that exits or never
    answers is a ``RuntimeError`` naming ``name``)."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                ready()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start") from None
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
