"""Timestamps from PostgreSQL read by psycopg's C loader, not by Django's Python one.

Django registers its own loader for ``timestamptz`` (``psycopg_any.BaseTzLoader``): a Python
subclass of psycopg's *Python* loader that parses the text with a regular expression, then
replaces the zone with the connection's. With ``psycopg[binary]`` the C loader parses the same
text about ten times faster (40.000 values: 140 ms against 14 ms). A drill-down page reads
1.000 dossiers of four moments each, a tenth of its time (issue 17, bench/pages).

The result is the same object when the connection's zone is UTC, which is what Django asks of
the server whenever ``USE_TZ`` is on and the database sets no ``TIME_ZONE`` (our settings): the
session speaks UTC, and the C loader then gives ``datetime.timezone.utc``, the zone Django's
loader puts. Any other zone keeps Django's loader.

Django's ``create_cursor`` compares the connection loader's ``timezone`` with its own, and the
C class takes no attribute; so the class registered here carries ``timezone`` and hands back a
C loader when psycopg makes one: psycopg's C transformer then reads the rows with it directly.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any


@functools.cache
def utc_timestamptz_loader() -> type | None:
    """The loader class registered here, or None with the pure-Python psycopg. Built on the
    first PostgreSQL connection: a SQLite process never imports psycopg (180 ms)."""
    import psycopg
    from psycopg.pq import Format

    if psycopg.pq.__impl__ not in ("c", "binary"):
        return None
    c_loader: Any = psycopg.adapters.get_loader(
        psycopg.postgres.types["timestamptz"].oid, Format.TEXT
    )

    class UtcTimestamptzLoader:
        """Makes psycopg's C ``TimestamptzLoader`` (what ``__new__`` returns), and tells
        psycopg the format it reads (``format``) and Django's ``create_cursor`` the zone it
        loads in (``timezone``)."""

        format = Format.TEXT
        timezone = datetime.UTC

        def __new__(cls, oid: int, context: Any = None) -> Any:
            return c_loader(oid, context)

    return UtcTimestamptzLoader


def use_c_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: read this PostgreSQL connection's timestamps with the C loader
    when its session zone is UTC and psycopg has one."""
    if connection.vendor != "postgresql" or connection.timezone is not datetime.UTC:
        return
    loader = utc_timestamptz_loader()
    if loader is not None:
        connection.connection.adapters.register_loader("timestamptz", loader)
