"""Real servers for the serving tests and the smoke test: ``motcua serve`` processes and
Debian's nginx in front of them, rendered from the shipped deploy/nginx/motcua.conf.

    data_dir = migrated_data_dir(tmp_path_factory)        # SQLite, migrated once per session
    with web_process(data_dir=data_dir) as web:            # motcua serve on a free port
        with nginx_process(tmp_path, upstreams=[web.address]) as proxy:
            https(proxy.https_url + "/dang-nhap/")

Everything listens on 127.0.0.1 on free ports and is stopped (TERM, then KILL) on exit; nginx
runs in the foreground with its pid, logs and temporary files in a folder of its own, as the
calling user (no root needed).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from motcua.ops.deploy import nginx_config

ROOT = Path(__file__).resolve().parents[3]
MOTCUA = [sys.executable, "-m", "motcua"]
SECRET = "serve-test-secret-key-" + "x" * 40
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_available() -> bool:
    return os.path.exists(NGINX) and os.path.exists(MIME_TYPES)


def require_nginx() -> None:
    """Skip without nginx, except under CI=true (scripts/dev.py installs it there)."""
    if nginx_available():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but nginx is missing: scripts/dev.py ensure_system_packages")
    pytest.skip("nginx not installed (apt-get install nginx)")


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process on SQLite in ``data_dir`` (no test settings)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MOTCUA_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="motcua.settings",
        MOTCUA_ENV="production",
        MOTCUA_SECRET_KEY=SECRET,
        MOTCUA_DATA_DIR=str(data_dir),
        MOTCUA_ALLOWED_HOSTS="127.0.0.1,localhost",
        MOTCUA_BASE_URL="https://127.0.0.1",
        MOTCUA_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    shared = data_dir / "static-root"  # written by migrated_data_dir
    if shared.exists():
        env["MOTCUA_STATIC_ROOT"] = shared.read_text()
    env.update(extra)
    return env


_MIGRATED: dict[str, Path] = {}


def shared_static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One MOTCUA_STATIC_ROOT for the session's servers: the first ``motcua serve`` collects
    into it, the next ones find nothing changed and skip (collecting takes seconds)."""
    root = _MIGRATED.get("static")
    if root is None:
        root = _MIGRATED["static"] = tmp_path_factory.mktemp("static")
    return root


def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory, name: str = "web") -> Path:
    """A fresh data folder holding a migrated SQLite database (migrated once per session,
    then copied: migrating takes seconds). Its servers share :func:`shared_static_root`."""
    template = _MIGRATED.get("template")
    if template is None:
        template = tmp_path_factory.mktemp("migrated")
        subprocess.run(
            [*MOTCUA, "migrate", "--verbosity", "0"],
            env=production_env(template),
            cwd=ROOT,
            check=True,
            timeout=300,
        )
        _MIGRATED["template"] = template
    target = tmp_path_factory.mktemp(name)
    shutil.copy2(template / "motcua.sqlite3", target / "motcua.sqlite3")
    (target / "static-root").write_text(str(shared_static_root(tmp_path_factory)))
    return target


def wait_for_port(port: int, *, process: subprocess.Popen[Any], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"not listening on {port} after {seconds} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen[Any], *, seconds: float = 15) -> int:
    """TERM (graceful), then KILL after ``seconds``; the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    return int(process.returncode)


@dataclass
class Web:
    """A running ``motcua serve``."""

    process: subprocess.Popen[Any]
    port: int
    log: Path
    env: dict[str, str] = field(repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def web_process(
    *,
    data_dir: Path,
    env: Mapping[str, str] | None = None,
    workers: int = 1,
    threads: int = 2,
    args: Sequence[str] = (),
    port: int | None = None,
) -> Iterator[Web]:
    """``motcua serve`` in production mode on 127.0.0.1 (a free port), stopped on exit."""
    port = port or free_port()
    full_env = production_env(data_dir, **dict(env or {}))
    log = data_dir / f"serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                *MOTCUA,
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                *args,
            ],
            env=full_env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process=process, log=log, seconds=90)
        yield Web(process=process, port=port, log=log, env=full_env)
    finally:
        stop(process)


def self_signed_certificate(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A throw-away certificate and key for ``host`` (openssl), in ``folder``."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host},DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


@dataclass
class Nginx:
    """A running nginx rendered from deploy/nginx/motcua.conf."""

    process: subprocess.Popen[Any]
    https_port: int
    http_port: int
    prefix: Path
    certificate: Path
    config: Path

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""

    def ssl_context(self) -> ssl.SSLContext:
        """A client context trusting exactly this nginx's certificate."""
        return ssl.create_default_context(cafile=str(self.certificate))


def main_config(prefix: Path, http_context: str) -> str:
    """nginx.conf around the rendered file: logs, pid and temporary files in ``prefix``."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers may read root's tmp
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    body = "\n".join("    " + line if line else "" for line in http_context.splitlines())
    return (
        f"{user}worker_processes 1;\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    include {MIME_TYPES};\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {prefix / 'access.log'};\n"
        f"{temp}\n"
        f"{body}\n"
        "}\n"
    )


@contextlib.contextmanager
def nginx_process(
    folder: Path,
    *,
    upstreams: Sequence[str],
    static_root: Path | None = None,
    **render: Any,
) -> Iterator[Nginx]:
    """nginx in front of ``upstreams`` (HOST:PORT), HTTPS and HTTP on free ports of 127.0.0.1,
    with a self-signed certificate; stopped on exit. ``render``: more nginx_config arguments."""
    require_nginx()
    prefix = folder / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed_certificate(prefix)
    https_port, http_port = free_port(), free_port()
    text = nginx_config(
        upstreams=upstreams,
        https_listen=f"127.0.0.1:{https_port}",
        http_listen=f"127.0.0.1:{http_port}",
        certificate=cert,
        certificate_key=key,
        static_root=static_root,
        **render,
    )
    config = prefix / "nginx.conf"
    config.write_text(main_config(prefix, text))
    command = [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused {config}:\n{checked.stderr}")
    log = prefix / "stderr.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_port(https_port, process=process, log=log, seconds=20)
        yield Nginx(
            process=process,
            https_port=https_port,
            http_port=http_port,
            prefix=prefix,
            certificate=cert,
            config=config,
        )
    finally:
        # QUIT: nginx's graceful stop; then TERM/KILL if it lingers.
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        stop(process)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(
    url: str,
    *,
    context: ssl.SSLContext | None = None,
    method: str = "GET",
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes, list[str]]:
    """(status, headers lower-cased, body, Set-Cookie lines) without following redirects."""
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    handlers: list[Any] = [NoRedirect()]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        body = response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
        headers_out = {key.lower(): value for key, value in response.headers.items()}
        return int(response.status), headers_out, body, cookies
