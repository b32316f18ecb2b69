"""The request id, and the log formats that carry it (docs/deployment.md, "Signals").

Every web request gets an id (``motcua.ops.middleware.SignalsMiddleware``): the proxy's
``X-Request-ID`` when the connection comes from a trusted proxy and the value is well formed,
otherwise a new one. It is held in a context variable for as long as the request (or a
background job it enqueued, ``motcua.jobs.backend``) runs, so every log line written meanwhile,
by any app, carries it. It lives here, in ``lib``, because the jobs and the lower apps read it.

Two formats for the console handler (``MOTCUA_LOG_FORMAT``): ``json``, one object per line,
the default in production, for a log collector; ``text``, for a person at a terminal.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import cache
from typing import Any

# The id of the request (or job) being handled in this thread or task; "" outside one.
REQUEST_ID: ContextVar[str] = ContextVar("motcua_request_id", default="")

# What a request id from outside may look like: a proxy's hex or UUID, never a log injection.
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged too.
@cache
def _standard_of(factory: Callable[..., logging.LogRecord]) -> frozenset[str]:
    return frozenset(
        factory("", 0, "", 0, "", None, None).__dict__.keys()
        | {"message", "asctime", "request_id", "taskName"}
    )


def _standard() -> frozenset[str]:
    """The attributes every record has: LogRecord's own and what the record factory in force
    adds (ocrmypdf's adds ``pageno`` to every record), so only ``extra=`` values are printed."""
    return _standard_of(logging.getLogRecordFactory())


def new_request_id() -> str:
    """A fresh id: 32 hexadecimal digits."""
    return uuid.uuid4().hex


def well_formed(value: str | None) -> str | None:
    """``value`` if it can serve as a request id as it is, else None."""
    if value and _WELL_FORMED.fullmatch(value):
        return value
    return None


def current_request_id() -> str:
    """The id of the request or job being handled, "" outside one."""
    return REQUEST_ID.get()


@contextmanager
def request_id_bound(request_id: str) -> Iterator[str]:
    """Log under ``request_id`` until the block ends (a request, a job's run)."""
    token = REQUEST_ID.set(request_id)
    try:
        yield request_id
    finally:
        REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (``%(request_id)s`` in a text format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601 with milliseconds), level, logger,
    message, request_id, whatever the call passed with ``extra=`` (the access line's route,
    method, status, duration_ms, user, client), and the exception's traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        standard = _standard()
        for key, value in record.__dict__.items():
            if key not in standard and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A line for a person: time, level, logger, [request id], message, then the extras."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get() or "-"
        line = super().format(record)
        standard = _standard()
        extras = [
            f"{key}={value}"
            for key, value in record.__dict__.items()
            if key not in standard and not key.startswith("_")
        ]
        if extras:
            first, newline, rest = line.partition("\n")
            line = f"{first} {' '.join(extras)}{newline}{rest}"
        return line
