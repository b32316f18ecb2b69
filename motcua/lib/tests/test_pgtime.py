"""PostgreSQL's timestamps read by psycopg's C loader (``motcua.lib.pgtime``) are what Django's
own loader gives: the same instants, in ``datetime.UTC``, for moments on both sides of the
epoch, with microseconds, and with none."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from motcua.lib.pgtime import utc_timestamptz_loader

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_only]

MOMENTS = [
    datetime.datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=datetime.UTC),
    datetime.datetime(2024, 6, 30, 17, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7))),
    datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
]


def _read(cursor) -> list[datetime.datetime]:
    cursor.execute("SELECT moment FROM unnest(%s::timestamptz[]) AS moment", [[m for m in MOMENTS]])
    return [row[0] for row in cursor.fetchall()]


def test_the_c_loader_reads_what_django_s_loader_reads():
    connection.ensure_connection()
    oid = connection.connection.adapters.types["timestamptz"].oid
    loader = connection.connection.adapters.get_loader(oid, Format.TEXT)
    assert loader is utc_timestamptz_loader() is not None
    with connection.cursor() as cursor:
        fast = _read(cursor)
    with connection.connection.cursor() as raw:
        register_tzloader(connection.timezone, raw)  # Django's own, on this cursor only
        django_s = _read(raw)
    assert fast == django_s == MOMENTS
    assert all(moment.tzinfo is datetime.UTC for moment in fast + django_s)
    assert [m.isoformat() for m in fast] == [m.isoformat() for m in django_s]
