"""``motcua serve``: the app behind a production WSGI server (gunicorn, gthread workers).

motcua serve                                   MOTCUA_WEB_BIND, _WORKERS, _THREADS or defaults
motcua serve --bind 127.0.0.1:8001 --workers 2 --threads 4
motcua serve --no-collectstatic                static files already collected (read-only tree)
motcua serve --access-log                      one line per request on standard error

Before serving it refuses, with the reason, to run against a database whose migrations are not
all applied (run ``motcua migrate`` first: docs/deployment.md, "Upgrades"), and collects the
static files (hashed, compressed; under a file lock, so several processes of one machine can
start at once). SIGTERM stops gracefully: no new connections, requests in flight finish within
MOTCUA_WEB_GRACEFUL_SECONDS. Why gunicorn with gthread workers: docs/deployment.md, "The web
server" (measured with bench/serve/run.py).
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _


def _env_int(name: str, default: int, *, low: int, high: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    return _bounded(raw, name, low=low, high=high)


def _bounded(raw: str, name: str, *, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise CommandError(
            _("%(option)s: expected a whole number from %(low)s to %(high)s, got %(value)r")
            % {"option": name, "low": low, "high": high, "value": raw}
        )
    return value


def default_workers() -> int:
    """Two processes per core (the pages wait on the database about half the time)."""
    return max(2, 2 * (os.cpu_count() or 1))


def check_bind(bind: str) -> str:
    """``HOST:PORT`` or ``unix:/path``; refused with a message naming the option otherwise."""
    if bind.startswith("unix:") and len(bind) > len("unix:"):
        return bind
    host, sep, port = bind.rpartition(":")
    if sep and host and port.isdigit() and 0 < int(port) < 65536:
        return bind
    raise CommandError(
        _("--bind: expected HOST:PORT (e.g. 127.0.0.1:8000) or unix:/path, got %(value)r")
        % {"value": bind}
    )


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """``app.migration`` names not applied to the database, in the order they would run."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    return [f"{migration.app_label}.{migration.name}" for migration, backwards in plan]


def static_fingerprint() -> str:
    """A digest of every static source file (name, size, modification time) and the storage:
    when it matches the last collection's, collecting again would change nothing."""
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{storage.location}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256(str(settings.STORAGES["staticfiles"]).encode())
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def collect_static(stdout: Any) -> bool:
    """``collectstatic`` unless nothing changed since the last one (a restart); once per
    machine at a time: processes starting together wait for the first instead of writing the
    same files and manifest concurrently. Whether it collected."""
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    stamp = root / ".motcua-collected"
    with open(root / ".collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            fingerprint = static_fingerprint()
            manifest = root / "staticfiles.json"
            if (
                stamp.exists()
                and stamp.read_text() == fingerprint
                and (manifest.exists() or not settings.STATIC_MANIFEST)
            ):
                return False
            call_command("collectstatic", interactive=False, verbosity=0, stdout=stdout)
            stamp.write_text(fingerprint)
            return True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Command(BaseCommand):
    help = "Serve the app with gunicorn (production): docs/deployment.md"
    requires_system_checks: list[str] = []  # checked below, then the workers fork

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("MOTCUA_WEB_BIND") or "127.0.0.1:8000",
            help="HOST:PORT or unix:/path (MOTCUA_WEB_BIND; default 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--workers",
            default=None,
            help="processes (MOTCUA_WEB_WORKERS; default two per core)",
        )
        parser.add_argument(
            "--threads",
            default=None,
            help="threads per process (MOTCUA_WEB_THREADS; default 4)",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="do not collect the static files at start (already collected)",
        )
        parser.add_argument(
            "--access-log",
            action="store_true",
            default=os.environ.get("MOTCUA_WEB_ACCESS_LOG", "").lower() in ("1", "true", "yes"),
            help="one line per request on standard error (MOTCUA_WEB_ACCESS_LOG)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bind = check_bind(str(options["bind"]))
        workers = (
            _bounded(str(options["workers"]), "--workers", low=1, high=256)
            if options["workers"] is not None
            else _env_int("MOTCUA_WEB_WORKERS", default_workers(), low=1, high=256)
        )
        threads = (
            _bounded(str(options["threads"]), "--threads", low=1, high=256)
            if options["threads"] is not None
            else _env_int("MOTCUA_WEB_THREADS", 4, low=1, high=256)
        )
        timeout = _env_int("MOTCUA_WEB_TIMEOUT_SECONDS", 120, low=1, high=3600)
        graceful = _env_int("MOTCUA_WEB_GRACEFUL_SECONDS", 30, low=1, high=3600)
        keepalive = _env_int("MOTCUA_WEB_KEEPALIVE_SECONDS", 75, low=1, high=3600)

        self.check(display_num_errors=False, fail_level=40)  # ERROR: refuse a broken config
        try:
            pending = unapplied_migrations()
        except Exception as error:  # noqa: BLE001 - any database failure: say which, stop
            raise CommandError(
                _("The database cannot be read (%(error)s): check DATABASE_URL.") % {"error": error}
            ) from error
        if pending:
            shown = ", ".join(pending[:10]) + (" …" if len(pending) > 10 else "")
            raise CommandError(
                _(
                    "%(count)s migrations are not applied to the database (%(names)s): "
                    "run `motcua migrate` first."
                )
                % {"count": len(pending), "names": shown}
            )
        if not options["no_collectstatic"]:
            collect_static(self.stdout)
        # The workers fork from this process: none may inherit its database connection.
        connections.close_all()

        run_gunicorn(
            bind=bind,
            workers=workers,
            threads=threads,
            timeout=timeout,
            graceful=graceful,
            keepalive=keepalive,
            access_log=bool(options["access_log"]),
        )


# Requests a worker serves before it moves what it holds out of the collector's sweep: by
# then its caches (templates, translation catalogues, URL patterns, the unit tree) are full.
FREEZE_AFTER_REQUESTS = 100


def freeze_when_warm(after: int = FREEZE_AFTER_REQUESTS) -> Callable[..., None]:
    """gunicorn's ``post_request`` hook: after the worker's ``after``-th request, collect once
    and freeze every object it holds (``gc.freeze``). A warm process holds about 260.000
    objects that live as long as it does, and each full collection scanned them all: some
    70 ms about every hundred requests of a drill-down (docs/performance.md). The counter is
    made before the fork, so each worker counts its own requests."""
    served = itertools.count(1)

    def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
        if next(served) == after:
            gc.collect()
            gc.freeze()

    return post_request


def run_gunicorn(
    *,
    bind: str,
    workers: int,
    threads: int,
    timeout: int,
    graceful: int,
    keepalive: int,
    access_log: bool,
) -> None:
    """Run gunicorn's arbiter in this process until SIGTERM (graceful) or SIGINT."""
    from django.core.wsgi import get_wsgi_application
    from gunicorn.app.base import BaseApplication

    application = get_wsgi_application()  # what motcua.wsgi serves
    # What the import made lives as long as the workers: out of their collections' sweep,
    # and its memory pages stay shared with the master (a collection writes to every object
    # it scans). The rest is frozen in each worker once warm (``freeze_when_warm``).
    gc.collect()
    gc.freeze()

    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": timeout,
        "graceful_timeout": graceful,
        # Idle connections from nginx are kept longer here than nginx keeps them (its upstream
        # keepalive_timeout, 60 s in deploy/nginx/motcua.conf): nginx always drops one first,
        # never writes a request into a connection gunicorn is closing (a 502 for a POST;
        # docs/performance.md). gthread keeps idle connections in its poller, not a thread.
        "keepalive": keepalive,
        # The app is imported once, before the fork: faster start, shared memory pages.
        "preload_app": True,
        # Headers from the proxy only (deploy/nginx/motcua.conf); the app decides what to trust
        # (settings MOTCUA_BEHIND_PROXY, MOTCUA_TRUSTED_PROXIES), not gunicorn.
        "forwarded_allow_ips": "",
        "proxy_allow_ips": "",
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "motcua-web",
        # A worker's temporary heartbeat file in memory, not on a possibly slow disk.
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        "post_request": freeze_when_warm(),
    }

    class MotcuaApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    MotcuaApplication().run()
