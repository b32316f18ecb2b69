"""Whether this web process is ready for traffic: what ``/readyz`` answers.

Three checks (docs/deployment.md, "Signals"):

- ``database``: a connection answers ``SELECT 1``;
- ``migrations``: every migration this code ships is recorded as applied (the migration files
  are read once per process; each check is one read of ``django_migrations``);
- ``worker``: a `motcua worker` was seen within ``MOTCUA_WORKER_STALE_SECONDS`` (its heartbeat,
  ``jobs.models.WorkerHeartbeat``); skipped when that setting is 0.

A load balancer asks every few seconds, from every web process: the outcome is kept for
``MOTCUA_READYZ_CACHE_SECONDS`` (default 5), so a burst of probes costs one round of queries.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from motcua.jobs.selectors import worker_last_seen, worker_stale_seconds


@dataclass(frozen=True)
class Readiness:
    """The checks' outcome: ``checks`` maps each check to its details (``ok`` and why)."""

    ready: bool
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)


@cache
def _shipped_migrations() -> tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...]:
    """Every migration of the code (a squashed one with the migrations it replaces), read
    from the files once: they do not change while the process runs."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return tuple(
        (key, tuple(tuple(item) for item in loader.disk_migrations[key].replaces))  # type: ignore[misc]
        for key in sorted(loader.graph.nodes)
    )


def _check_database(alias: str) -> dict[str, Any]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _check_migrations(alias: str) -> dict[str, Any]:
    # One SELECT (the recorder's applied_migrations() first asks whether the table exists).
    recorded = MigrationRecorder(connections[alias]).migration_qs.values_list("app", "name")
    applied = {(app, name) for app, name in recorded}
    missing = [
        f"{app}.{name}"
        for (app, name), replaces in _shipped_migrations()
        if (app, name) not in applied and not (replaces and set(replaces) <= applied)
    ]
    if missing:
        return {"ok": False, "unapplied": len(missing), "first": missing[:5]}
    return {"ok": True}


def _check_worker(now: datetime) -> dict[str, Any]:
    stale = worker_stale_seconds()
    if not stale:
        return {"ok": True, "skipped": "MOTCUA_WORKER_STALE_SECONDS=0"}
    last = worker_last_seen()
    if last is None:
        return {"ok": False, "error": "no worker has ever been seen"}
    age = (now - last).total_seconds()
    if age > stale:
        return {"ok": False, "last_seen_seconds_ago": round(age), "stale_after": stale}
    return {"ok": True, "last_seen_seconds_ago": round(age)}


def check_readiness(alias: str = DEFAULT_DB_ALIAS) -> Readiness:
    """Run the checks now (uncached). A check that raises fails with the exception's class
    name only: the body goes to whoever can reach the address, so no message or DSN."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        checks["database"] = _check_database(alias)
    except Exception as error:
        checks["database"] = {"ok": False, "error": type(error).__name__}
        # Without a database the other two cannot be answered.
        return Readiness(False, checks)
    try:
        checks["migrations"] = _check_migrations(alias)
    except Exception as error:
        checks["migrations"] = {"ok": False, "error": type(error).__name__}
    try:
        checks["worker"] = _check_worker(timezone.now())
    except Exception as error:
        checks["worker"] = {"ok": False, "error": type(error).__name__}
    return Readiness(all(c["ok"] for c in checks.values()), checks)


_lock = threading.Lock()
_cached: tuple[float, Readiness] | None = None


def readiness() -> Readiness:
    """:func:`check_readiness`, reused for ``MOTCUA_READYZ_CACHE_SECONDS``."""
    global _cached
    keep = float(getattr(settings, "MOTCUA_READYZ_CACHE_SECONDS", 5))
    with _lock:
        cached = _cached
        if cached is not None and time.monotonic() - cached[0] < keep:
            return cached[1]
        result = check_readiness()
        _cached = (time.monotonic(), result)
        return result


def readiness_forget() -> None:
    """Drop the cached outcome (tests; a deployment step that wants a fresh answer)."""
    global _cached
    with _lock:
        _cached = None
