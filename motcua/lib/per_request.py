"""What one request reads once and asks again: the request's number, and values kept for it.

A page may ask the same read twice from two places that do not know of each other (the
dashboard's rows and its trend ask what the ledger holds for the same days). Keeping the
answer for the rest of the request saves the second statement; keeping it longer would need
a way to know it changed (``units.tree`` has one for the tree of units, and uses the
request's number from here).

Only what a request cannot make stale is kept: :func:`kept` reads again inside a
transaction (its own writes must count) and outside requests (commands and the worker run
for hours). The callers say why their value cannot go stale within a request.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from django.core.signals import request_finished, request_started
from django.db import connection

T = TypeVar("T")

_numbers = itertools.count(1)
_local = threading.local()  # .number: the current request's; .kept: its values by key


def request_number() -> int | None:
    """The number of the request this thread is serving (a new one each request), or None
    outside requests."""
    number: int | None = getattr(_local, "number", None)
    return number


def kept(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, the first time this request asks for ``key``, then its answer again; read
    every time outside requests and inside a transaction."""
    values: dict[Hashable, Any] | None = getattr(_local, "kept", None)
    if values is None or connection.in_atomic_block:
        return read()
    if key not in values:
        values[key] = read()
    return cast("T", values[key])


def _started(**_: Any) -> None:
    _local.number = next(_numbers)
    _local.kept = {}


def _finished(**_: Any) -> None:
    _local.number = None
    _local.kept = None


request_started.connect(_started, dispatch_uid="motcua.lib.per_request.started")
request_finished.connect(_finished, dispatch_uid="motcua.lib.per_request.finished")
