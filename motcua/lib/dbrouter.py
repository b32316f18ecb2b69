"""Reads from the replica where a little lag is harmless, everything else on the primary.

``MOTCUA_DATABASE_REPLICA_URL`` adds the ``replica`` database. A page opts in by running under
:func:`replica_reads` (``ReplicaReadsMiddleware`` does it for the GET pages of the namespaces in
``MOTCUA_REPLICA_NAMESPACES``: reports and the portal). Writes always go to ``default``; after
the first write in a request, and inside any transaction on ``default``, reads go there too, so
a request reads its own writes. A clerk's pages never read from the replica: what she has just
received must show at once (docs/deployment.md, "Database").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

REPLICA = "replica"
DEFAULT = "default"
# Who is signed in and what she may do is always read from the primary: a session or a
# permission just written must count at once, whatever the replica's lag.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "contenttypes", "axes", "admin"})

# "replica": this request may read from the replica; "primary": it wrote, read the primary.
_mode: ContextVar[str] = ContextVar("motcua_db_mode", default="")


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reading(model: type[Model]) -> BaseDatabaseWrapper:
    """The connection the ORM would read ``model`` from (``db_for_read``), for a statement
    written by hand: it reads where the page's other reads do (the replica on a report page),
    and a report's figures and the dossiers behind them come from the same database."""
    return connections[router.db_for_read(model)]


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads go to the replica (if one is configured) until a write."""
    token = _mode.set("replica")
    try:
        yield
    finally:
        _mode.reset(token)


class ReplicaRouter:
    """Django database router (``DATABASE_ROUTERS``)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if _mode.get() != "replica" or not replica_configured():
            return DEFAULT
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT
        if connections[DEFAULT].in_atomic_block:
            return DEFAULT
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        if _mode.get() == "replica":
            _mode.set("primary")
        return DEFAULT

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica is a copy of the primary: objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # Only the primary is migrated; the replica receives the schema by replication.
        return db == DEFAULT


class ReplicaReadsMiddleware:
    """Runs the GET and HEAD requests of ``MOTCUA_REPLICA_NAMESPACES`` under
    :func:`replica_reads`, rendering included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        namespaces = set(getattr(settings, "MOTCUA_REPLICA_NAMESPACES", ()))
        if not namespaces & set(match.namespaces):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
