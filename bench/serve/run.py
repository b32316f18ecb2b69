"""Benchmark (not a test): which WSGI server `motcua serve` runs (docs/deployment.md, "The web
server"). gunicorn with sync workers, gunicorn with gthread workers and granian (WSGI), each
with the same number of processes, against the same SQLite data folder holding the Bắc Kạn
demo, on the login page and a signed-in leader's dashboard; a short bounded load.

    .venv/bin/python bench/serve/run.py DATA_DIR [--requests 1500] [--clients 8]
        [--workers 2] [--threads 4] [--servers gunicorn-sync,gunicorn-gthread,granian]

DATA_DIR: migrated, with `motcua demo load` run in it (MOTCUA_ENV=development), and static
files collected into DATA_DIR/static by a first `motcua serve`. Each server runs in
production mode on 127.0.0.1 (free port); each client signs in once (its own session), then
the clients fetch the page REQUESTS times in total. Results: requests/s, median and p95 in ms,
errors; a table on stdout, JSON in DATA_DIR/bench-serve.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
USERNAME = "lanhdao.ducxuan"
PASSWORD = "motcua-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(kind: str, port: int, workers: int, threads: int) -> list[str]:
    bind = f"127.0.0.1:{port}"
    if kind == "gunicorn-sync":
        return [
            PYTHON,
            "-m",
            "gunicorn",
            "motcua.wsgi:application",
            "-b",
            bind,
            "-w",
            str(workers),
            "-k",
            "sync",
            "--preload",
            "--log-level",
            "warning",
        ]
    if kind == "gunicorn-gthread":
        return [
            PYTHON,
            "-m",
            "gunicorn",
            "motcua.wsgi:application",
            "-b",
            bind,
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--preload",
            "--log-level",
            "warning",
        ]
    if kind == "granian":
        return [
            PYTHON,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--log-level",
            "warning",
            "motcua.wsgi:application",
        ]
    raise SystemExit(f"--servers: unknown server {kind!r}")  # fmt: skip


def wait(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Session:
    """One client: its own cookies (kept by hand: production marks them Secure, and this
    client speaks plain HTTP to 127.0.0.1), signed in as the province's leader."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect())

    def _open(self, request: urllib.request.Request) -> tuple[int, bytes]:
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            body = response.read()
            for line in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = line.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return int(response.status), body

    def get(self, path: str) -> int:
        return self._open(urllib.request.Request(self.base + path))[0]

    def sign_in(self) -> None:
        _, page = self._open(urllib.request.Request(self.base + "/dang-nhap/"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode())
        assert token, "no CSRF token on the login page"
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token[1], "username": USERNAME, "password": PASSWORD}
        ).encode()
        status, _ = self._open(urllib.request.Request(self.base + "/dang-nhap/", data=form))
        assert status == 302, f"sign-in failed ({status})"


def load(base: str, path: str, *, requests: int, clients: int, sign_in: bool) -> dict[str, float]:
    sessions = [Session(base) for _ in range(clients)]
    if sign_in:
        for session in sessions:
            session.sign_in()
    for session in sessions:
        session.get(path)  # warm: templates, connections, caches
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [requests]

    def client(session: Session) -> None:
        nonlocal errors
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            status = session.get(path)
            elapsed = time.perf_counter() - started
            with lock:
                times.append(elapsed)
                if status != 200:
                    errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    times.sort()
    return {
        "requests": len(times),
        "rps": round(len(times) / wall, 1),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--servers", default="gunicorn-sync,gunicorn-gthread,granian")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 1 <= args.clients <= 64:
        raise SystemExit("--requests: 1 to 100000; --clients: 1 to 64")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTCUA_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_ENV="production",
        MOTCUA_SECRET_KEY="bench-serve-" + "k" * 50,
        MOTCUA_DATA_DIR=str(args.data_dir.resolve()),
        MOTCUA_ALLOWED_HOSTS="127.0.0.1",
        MOTCUA_BASE_URL="http://127.0.0.1",
        MOTCUA_SSL_REDIRECT="false",
        # One log line per request would cost the servers as much as some pages.
        MOTCUA_ACCESS_LOG_LEVEL="WARNING",
        MOTCUA_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    results: dict[str, dict[str, dict[str, float]]] = {}
    for kind in args.servers.split(","):
        port = free_port()
        process = subprocess.Popen(
            server_command(kind, port, args.workers, args.threads),
            env=env,
            cwd=ROOT,
        )
        try:
            wait(port, process)
            base = f"http://127.0.0.1:{port}"
            results[kind] = {
                "login": load(base, "/dang-nhap/", requests=args.requests,
                              clients=args.clients, sign_in=False),
                "dashboard": load(base, "/bao-cao/", requests=args.requests // 5,
                                  clients=args.clients, sign_in=True),
            }  # fmt: skip
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
        print(kind, json.dumps(results[kind]), flush=True)
    print(
        f"\n{'server':<18} {'page':<10} {'req/s':>7} {'median ms':>10} {'p95 ms':>8} {'errors':>7}"
    )
    for kind, pages in results.items():
        for page, r in pages.items():
            print(f"{kind:<18} {page:<10} {r['rps']:>7} {r['median_ms']:>10} "
                  f"{r['p95_ms']:>8} {r['errors']:>7}")  # fmt: skip
    (args.data_dir / "bench-serve.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
