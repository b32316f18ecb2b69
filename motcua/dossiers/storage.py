"""Hand-written SQL for the hot write path of dossiers.

Every transition reads and locks one dossier, reserves a place in the global event chain,
then writes the dossier, its event and the chain tip. Through the ORM, compiling those
statements cost more than the database work, and each was a round trip of its own
(bench/lifecycle, docs/dossiers.md). The rules stay in ``services``; this module only moves
rows, with values prepared by the model fields themselves, so types and time zones are handled
exactly as the ORM would. On PostgreSQL the three writes go as one statement (data-modifying
CTEs); on SQLite, which has no such statements, one after the other in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from django.db import connection, models
from django.utils import timezone

from motcua.dossiers.models import ChainHead, Dossier, DossierCodeCounter, DossierEvent


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _one_statement() -> bool:
    return connection.vendor == "postgresql"


def _row(instance: models.Model, fields: Sequence[models.Field[Any, Any]]) -> list[Any]:
    return [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]


@cache
def _insert_fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


@cache
def _lock_sql(vendor: str) -> str:
    columns = ", ".join(f"d.{_q(str(field.column))}" for field in Dossier._meta.concrete_fields)
    table = _q(Dossier._meta.db_table)
    if _one_statement():
        # The global chain's place is reserved in the same statement: the head row is locked
        # first, then the dossier row, by every transition alike (no deadlock), and a
        # refused transition rolls the reservation back.
        return (
            f"WITH h AS (UPDATE {_q(_HEAD)} SET last_seq = last_seq + 1 WHERE id = 1"
            " RETURNING last_seq, last_hash)"
            f" SELECT {columns}, h.last_seq, h.last_hash FROM {table} d CROSS JOIN h"
            " WHERE d.id = %s FOR UPDATE OF d"
        )
    sql = f"SELECT {columns} FROM {table} d WHERE d.id = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


@cache
def _converters(vendor: str) -> list[tuple[list[Any], Any]]:
    """Per Dossier column, the functions turning a database value into a Python one."""
    result = []
    for field in Dossier._meta.concrete_fields:
        column = field.get_col(Dossier._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        result.append((converters, column))
    return result


def lock_dossier(dossier_id: int) -> tuple[Dossier | None, tuple[int, str] | None]:
    """The dossier, locked until the transaction ends, and on PostgreSQL its next event's
    reserved place in the global chain (number, previous hash); None on SQLite.

    No joins: planning them cost more than running the whole statement. On SQLite there is
    no row lock: ``BEGIN IMMEDIATE`` (settings) already serialises writers.
    """
    sql = _lock_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [dossier_id])
        row = cursor.fetchone()
        if row is None and _one_statement():
            ChainHead.objects.bulk_create([ChainHead(pk=1)], ignore_conflicts=True)
            cursor.execute(sql, [dossier_id])
            row = cursor.fetchone()
    if row is None:
        return None, None
    fields = Dossier._meta.concrete_fields
    values = []
    for value, (converters, column) in zip(row, _converters(connection.vendor), strict=False):
        for convert in converters:
            value = convert(value, column, connection)
        values.append(value)
    dossier = Dossier.from_db(connection.alias, [f.attname for f in fields], values)
    extra = row[len(fields) :]
    place = (int(extra[0]), str(extra[1])) if _one_statement() else None
    return dossier, place


def next_code_number(agency_id: int, day: date) -> int:
    """The agency's next sequence number for the day, taken in the caller's transaction (§3).

    One upsert: the row is created or incremented and stays locked until commit, so
    concurrent receipts queue and a rolled-back receipt gives its number back (no gaps).
    """
    table = _q(DossierCodeCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1)"
        f" ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    day_value = DossierCodeCounter._meta.get_field("day").get_db_prep_save(day, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_id, day_value])
        return int(cursor.fetchone()[0])


_HEAD = ChainHead._meta.db_table


def chain_reserve() -> tuple[int, str]:
    """Take the next place in the global chain: (its number, the previous event's hash).

    The UPDATE locks the head row until the transaction ends, so appends serialise; every
    writer locks its dossier (or code counter) first and the head last, so none deadlock.
    """
    sql = (
        f"UPDATE {_q(_HEAD)} SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:  # the very first event (or a test flushed the tables)
            ChainHead.objects.bulk_create([ChainHead(pk=1)], ignore_conflicts=True)
            cursor.execute(sql)
            row = cursor.fetchone()
    return int(row[0]), str(row[1])


@cache
def _insert_sql(model: type[models.Model], fields: tuple[models.Field[Any, Any], ...]) -> str:
    columns = ", ".join(_q(str(field.column)) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {_q(model._meta.db_table)} ({columns}) VALUES ({values})"


def _tip_sql() -> str:
    return f"UPDATE {_q(_HEAD)} SET last_hash = %s WHERE id = 1"


def write_new(dossier: Dossier, event: DossierEvent) -> None:
    """Insert a new dossier and its first event, and make the event the chain's tip."""
    if dossier.created_at is None:
        dossier.created_at = timezone.now()
    dossier_fields = _insert_fields(Dossier)
    event_fields = tuple(f for f in _insert_fields(DossierEvent) if f.attname != "dossier_id")
    if _one_statement():
        event_columns = ", ".join(_q(str(f.column)) for f in event_fields)
        sql = (
            f"WITH d AS ({_insert_sql(Dossier, dossier_fields)} RETURNING id),"
            f" e AS (INSERT INTO {_q(DossierEvent._meta.db_table)} (dossier_id, {event_columns})"
            f" SELECT d.id, {', '.join(['%s'] * len(event_fields))} FROM d RETURNING id)"
            f" {_tip_sql()} RETURNING (SELECT id FROM d), (SELECT id FROM e)"
        )
        params = [*_row(dossier, dossier_fields), *_row(event, event_fields), event.hash]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            dossier.pk, event.pk = cursor.fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(Dossier, dossier_fields), _row(dossier, dossier_fields))
            dossier.pk = cursor.lastrowid
            event.dossier_id = dossier.pk
            fields = _insert_fields(DossierEvent)
            cursor.execute(_insert_sql(DossierEvent, fields), _row(event, fields))
            event.pk = cursor.lastrowid
            cursor.execute(_tip_sql(), [event.hash])
    event.dossier_id = dossier.pk
    dossier._state.adding = event._state.adding = False


@cache
def _update(names: tuple[str, ...]) -> tuple[tuple[models.Field[Any, Any], ...], str]:
    wanted = set(names)
    fields = tuple(field for field in Dossier._meta.concrete_fields if field.name in wanted)
    sql = (
        f"UPDATE {_q(Dossier._meta.db_table)} SET "
        + ", ".join(f"{_q(str(field.column))} = %s" for field in fields)
        + " WHERE id = %s"
    )
    return fields, sql


def write_transition(dossier: Dossier, names: Sequence[str], event: DossierEvent) -> None:
    """Write the named fields of a locked dossier, insert its new event, move the chain tip."""
    fields, update = _update(tuple(names))
    update_params = [*_row(dossier, fields), dossier.pk]
    event_fields = _insert_fields(DossierEvent)
    if _one_statement():
        sql = (
            f"WITH d AS ({update}), e AS ({_insert_sql(DossierEvent, event_fields)} RETURNING id)"
            f" {_tip_sql()} RETURNING (SELECT id FROM e)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*update_params, *_row(event, event_fields), event.hash])
            event.pk = cursor.fetchone()[0]
    else:
        with connection.cursor() as cursor:
            cursor.execute(update, update_params)
            cursor.execute(_insert_sql(DossierEvent, event_fields), _row(event, event_fields))
            event.pk = cursor.lastrowid
            cursor.execute(_tip_sql(), [event.hash])
    event._state.adding = False
