"""The production stack on one machine, for the smoke test (issue 15, item 3) and bench/load.

    with production_stack(folder, server_url, web=2, workers=2) as stack:
        run_load(Config(stack.https_url, cafile=str(stack.certificate), ...))
        stack.kill(stack.web[0])                       # kill -9 one `motcua serve`
        stack.motcua("audit", "verify")

What runs, all on 127.0.0.1 on free ports, started from the repository's own configuration:

- a database of its own on a throw-away PostgreSQL server (``server_url``: the test pass's
  cluster, conftest.py ``pg_cluster``, or a benchmark's, bench/common/cluster.py), migrated
  with ``motcua migrate`` and loaded with ``motcua demo load`` (the whole demo: units, the
  catalogue, the 2024 history, the live year, its clerks, officers and leaders; about 40 s);
- the environment written to ``stack.env`` the way deploy/motcua.env.example lays it out
  (systemd's ``EnvironmentFile``), the secret key, the audit key and the database URL each in
  a file of its own (the ``_FILE`` convention); every process reads that file and nothing else
  of the caller's environment (no test settings);
- ``web`` × ``motcua serve`` and ``workers`` × ``motcua worker``, each in a process group of
  its own (so ``kill -9`` can take a whole ``serve``, its gunicorn workers included);
- Debian's nginx rendered from deploy/nginx/motcua.conf by ``motcua.ops.deploy.nginx_config``
  (motcua/ops/tests/nginx.py), HTTPS with a self-signed certificate, with an access log in a
  format the checks read (:func:`read_access_log`).

The demo is loaded in ``MOTCUA_ENV=development`` (``demo load`` refuses production) against
the same database, data folder and secret key; everything else runs in production. Every
process's output goes to a file of the stack's folder; :meth:`Stack.logs` returns their ends,
printed by the caller on failure. On exit everything is stopped (TERM, then KILL) and the
database dropped.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from motcua.ops.deploy import nginx_config
from motcua.ops.tests.nginx import (
    NGINX,
    free_port,
    main_config,
    require_nginx,
    self_signed_certificate,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parents[3]
MOTCUA = [sys.executable, "-m", "motcua"]
ENV_EXAMPLE = ROOT / "deploy" / "motcua.env.example"
# One line per request: what the checks need (end time, time taken, method, status, which
# upstream answered; a retried request names every upstream tried, comma-separated).
ACCESS_FORMAT = (
    'log_format smoke \'$msec $request_time $request_method $status "$request_uri" '
    '"$upstream_addr" "$upstream_status"\';'
)


@dataclass
class Process:
    """One process of the stack, started in a process group of its own."""

    name: str
    command: list[str]
    log: Path
    popen: subprocess.Popen[bytes]
    port: int | None = None
    killed_at: float | None = None  # time.time() of a kill -9

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.popen.poll() is None


@dataclass
class AccessLine:
    """A line of nginx's access log."""

    end: float  # epoch seconds
    seconds: float
    method: str
    status: int
    uri: str
    upstreams: list[str]
    upstream_statuses: list[str]

    @property
    def start(self) -> float:
        return self.end - self.seconds


def read_access_log(path: Path) -> list[AccessLine]:
    lines = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        head, _, rest = raw.partition(' "')
        end, seconds, method, status = head.split()
        uri, _, rest = rest.partition('" "')
        upstreams, _, statuses = rest.partition('" "')
        lines.append(
            AccessLine(
                end=float(end),
                seconds=float(seconds),
                method=method,
                status=int(status),
                uri=uri,
                upstreams=[u.strip() for u in upstreams.split(",") if u.strip()],
                upstream_statuses=[s.strip() for s in statuses.rstrip('"').split(",")],
            )
        )
    return lines


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines (systemd EnvironmentFile); comments and blank lines skipped."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip().strip('"').strip("'")
    return values


@dataclass
class Stack:
    folder: Path
    database_url: str
    env: dict[str, str] = field(repr=False)
    env_file: Path
    certificate: Path
    https_port: int
    nginx: Process
    access_log: Path
    web: list[Process] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)
    demo_seconds: float = 0.0

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def motcua(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """``motcua ARGS`` with the stack's (production) environment; output captured."""
        return subprocess.run(
            [*MOTCUA, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def kill(self, process: Process) -> float:
        """kill -9 the process and everything in its group; the moment (epoch seconds)."""
        process.killed_at = time.time()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(10)
        return process.killed_at

    def processes(self) -> list[Process]:
        return [self.nginx, *self.web, *self.workers]

    def logs(self, chars: int = 3000) -> str:
        """The end of every process's log, and nginx's error log."""
        parts = []
        files = [(p.name, p.log) for p in self.processes()]
        files.append(("nginx error.log", self.folder / "nginx" / "error.log"))
        for name, path in files:
            text = path.read_text(errors="replace") if path.exists() else "(no log)"
            parts.append(f"---- {name} ({path}) ----\n{text[-chars:]}")
        return "\n".join(parts)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as conn:
            return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]


def stack_env(folder: Path, database_url: str, https_port: int, **extra: str) -> dict[str, str]:
    """The variables of every production process: deploy/motcua.env.example's names (when
    the file exists) with this machine's values, written to ``folder/stack.env``."""
    # Secrets in files of their own, as deploy/motcua.env.example has them (the _FILE rule).
    secret_dir = folder / "secrets"
    secret_dir.mkdir(mode=0o700, exist_ok=True)
    files = {
        "MOTCUA_SECRET_KEY_FILE": ("secret_key", secrets.token_urlsafe(60)),
        "MOTCUA_AUDIT_KEY_FILE": ("audit_key", secrets.token_urlsafe(60)),
        "DATABASE_URL_FILE": ("database_url", database_url),
    }
    for file_name, content in files.values():
        path = secret_dir / file_name
        path.write_text(content)
        path.chmod(0o600)
    values = read_env_file(ENV_EXAMPLE) if ENV_EXAMPLE.exists() else {}
    # A value the example leaves as a placeholder path (/etc/motcua/...) must not be used here.
    values = {k: v for k, v in values.items() if not v.startswith("/")}
    values.pop("MOTCUA_SECRET_KEY", None)
    values.update({name: str(secret_dir / file_name) for name, (file_name, _) in files.items()})
    values.update(
        MOTCUA_ENV="production",
        MOTCUA_DATA_DIR=str(folder / "data"),
        MOTCUA_ALLOWED_HOSTS="127.0.0.1",
        MOTCUA_BASE_URL=f"https://127.0.0.1:{https_port}",
        MOTCUA_CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https_port}",
        MOTCUA_BEHIND_PROXY="true",
        MOTCUA_TRUSTED_PROXIES="127.0.0.1",
        # Every virtual citizen comes from 127.0.0.1: the per-address submission limit is
        # lifted for it as for a desk's network (the per-phone limit still applies).
        MOTCUA_PORTAL_EXEMPT_NETWORKS="127.0.0.1/32",
        MOTCUA_LOG_LEVEL="WARNING",
        MOTCUA_WEB_ACCESS_LOG="false",
        # A stopped test stack need not wait 30 s for requests in flight.
        MOTCUA_WEB_GRACEFUL_SECONDS="5",
    )
    values.update(extra)
    env_file = folder / "stack.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(values.items())))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MOTCUA_", "DJANGO_", "DATABASE_URL", "PYTEST", "GIT_"))
    }
    env.update(read_env_file(env_file))
    env.update(DJANGO_SETTINGS_MODULE="motcua.settings", PYTHONPATH=str(ROOT))
    return env


def _start(name: str, command: list[str], env: Mapping[str, str], log: Path) -> Process:
    with open(log, "wb") as out:
        popen = subprocess.Popen(
            command,
            env=dict(env),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes it whole
        )
    return Process(name=name, command=command, log=log, popen=popen)


def _stop_all(processes: list[Process], seconds: float = 10) -> None:
    """TERM to every process group at once, then KILL what is left after ``seconds``."""
    for process in processes:
        if process.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + seconds
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(max(0.1, deadline - time.monotonic()))
        # Whatever remains of the group (a gunicorn worker whose master died): killed.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.popen.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(5)


def _motcua(args: list[str], env: Mapping[str, str]) -> None:
    done = subprocess.run(
        [*MOTCUA, *args], env=dict(env), cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        raise RuntimeError(f"motcua {' '.join(args)}:\n{done.stdout}\n{done.stderr}")


def load_demo(env: Mapping[str, str]) -> None:
    """``motcua migrate`` and ``motcua demo load`` into the database ``env`` names. The demo
    refuses production: it is loaded as development, with the same database and key."""
    _motcua(["migrate", "--verbosity", "0"], env)
    _motcua(["demo", "load"], dict(env, MOTCUA_ENV="development"))


def _exists(server_url: str, database: str) -> bool:
    with psycopg.connect(f"{server_url}postgres") as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        return found.fetchone() is not None


def _admin(server_url: str, sql: str) -> None:
    with psycopg.connect(f"{server_url}postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextlib.contextmanager
def production_stack(
    folder: Path,
    server_url: str,
    *,
    web: int = 2,
    workers: int = 2,
    web_workers: int = 2,
    web_threads: int = 4,
    env: Mapping[str, str] | None = None,
    template: str | None = None,
) -> Iterator[Stack]:
    """The stack described in the module's docstring, torn down on exit. ``server_url``:
    ``postgresql://user@host:port/`` of a PostgreSQL server we may create databases on.
    ``template``: a database kept on that server holding the migrated demo (made on first
    use), copied instead of loading the demo again (benchmarks; the smoke test loads it)."""
    require_nginx()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    name = f"motcua_stack_{uuid.uuid4().hex[:8]}"
    database_url = f"{server_url}{name}"
    https_port = free_port()
    full_env = stack_env(folder, database_url, https_port, **dict(env or {}))
    stack: Stack | None = None
    started: list[Process] = []
    created = False
    try:
        began = time.monotonic()
        if template and not _exists(server_url, template):
            # Kept for later runs (a benchmark's): migrated and loaded once.
            _admin(server_url, f'CREATE DATABASE "{template}"')
            try:
                into = {k: v for k, v in full_env.items() if k != "DATABASE_URL_FILE"}
                load_demo(dict(into, DATABASE_URL=f"{server_url}{template}"))
            except BaseException:
                _admin(server_url, f'DROP DATABASE "{template}" WITH (FORCE)')
                raise
        suffix = f' TEMPLATE "{template}"' if template else ""
        _admin(server_url, f'CREATE DATABASE "{name}"{suffix}')
        created = True
        if template:
            _motcua(["migrate", "--verbosity", "0"], full_env)  # code newer than the copy
        else:
            load_demo(full_env)
        demo_seconds = time.monotonic() - began

        prefix = folder / "nginx"
        prefix.mkdir(exist_ok=True)
        certificate, key = self_signed_certificate(prefix)
        web_processes = []
        for index in range(web):
            process = start_web_process(
                folder, full_env, f"web{index + 1}", web_workers, web_threads
            )
            started.append(process)
            web_processes.append(process)
        worker_processes = []
        for index in range(workers):
            process = _start(
                f"worker{index + 1}",
                [*MOTCUA, "worker", "--poll", "0.5"],
                full_env,
                folder / f"worker{index + 1}.log",
            )
            started.append(process)
            worker_processes.append(process)

        access_log = prefix / "access.log"
        text = nginx_config(
            upstreams=[p.address for p in web_processes],
            https_listen=f"127.0.0.1:{https_port}",
            http_listen=None,
            certificate=certificate,
            certificate_key=key,
        )
        config_text = main_config(prefix, text)
        plain = f"    access_log {prefix / 'access.log'};"
        if plain not in config_text:
            raise RuntimeError("motcua/ops/tests/nginx.py main_config: no access_log line found")
        config_text = config_text.replace(
            plain, f"    {ACCESS_FORMAT}\n    access_log {access_log} smoke;"
        )
        config = prefix / "nginx.conf"
        config.write_text(config_text)
        command = [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused {config}:\n{checked.stderr}")
        nginx = _start("nginx", [*command, "-g", "daemon off;"], full_env, prefix / "stderr.log")
        started.append(nginx)
        nginx.port = https_port

        stack = Stack(
            folder=folder,
            database_url=database_url,
            env=full_env,
            env_file=folder / "stack.env",
            certificate=certificate,
            https_port=https_port,
            nginx=nginx,
            access_log=access_log,
            web=web_processes,
            workers=worker_processes,
            demo_seconds=demo_seconds,
        )
        for process in [nginx, *web_processes]:
            assert process.port is not None
            wait_for_port(process.port, process=process.popen, log=process.log, seconds=120)
        time.sleep(1)
        for process in worker_processes:
            if not process.alive():
                raise RuntimeError(f"{process.name} exited:\n{process.log.read_text()[-3000:]}")
        yield stack
    except BaseException:
        if stack is not None:
            print(stack.logs())
        else:
            for process in started:
                print(
                    f"---- {process.name} ----\n{process.log.read_text(errors='replace')[-3000:]}"
                )
        raise
    finally:
        _stop_all(list(reversed(started)))
        if created:
            with contextlib.suppress(psycopg.Error):
                _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_web_process(
    folder: Path, env: Mapping[str, str], name: str, workers: int, threads: int
) -> Process:
    """``motcua serve`` on a free port of 127.0.0.1, its output in ``folder/NAME.log``."""
    port = free_port()
    process = _start(
        name,
        [*MOTCUA, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads)],
        env,
        folder / f"{name}.log",
    )  # fmt: skip
    process.port = port
    return process
