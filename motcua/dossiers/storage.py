"""Hand-written SQL for the hot write path of dossiers.

Every transition reads and locks one dossier, then writes the dossier and its event. No row
shared by all dossiers is touched: the chain is the dossier's own (its tip lives on the locked
row), so writers of different dossiers never wait for each other (docs/dossiers.md, "Audit").
Through the ORM, compiling those statements cost more than the database work, and each was a
round trip of its own (bench/lifecycle, docs/dossiers.md); here each statement's SQL is built
once per model and field list and cached. The rules stay in ``services``; this module only
moves rows, with values prepared by the model fields themselves, so types and time zones are
handled exactly as the ORM would. On PostgreSQL the two writes go as one statement (a
data-modifying CTE), with the figures' ledger rows when the caller knows them before writing
(:class:`Joined`, filled by ``figures``); on SQLite, which has no such statements, one after
the other in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.utils import timezone

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier, DossierCodeCounter, DossierEvent
from motcua.units.models import Agency


@dataclass
class Joined:
    """Statements (SQL, parameters) to send with the next dossier write: on PostgreSQL as
    data-modifying CTEs of its one statement (written, or an error, with the dossier), on
    SQLite each after it. ``figures`` adds the ledger's delta rows here when the change is
    known before the write."""

    parts: list[tuple[str, list[Any]]] = dataclass_field(default_factory=list)

    def execute(self, cursor: Any) -> None:
        """Each statement on its own (an engine without data-modifying CTEs)."""
        for sql, params in self.parts:
            cursor.execute(sql, params)

    def sql(self) -> str:
        return "".join(f", j{i} AS ({sql})" for i, (sql, _) in enumerate(self.parts))

    def params(self) -> list[Any]:
        return [value for _, params in self.parts for value in params]


@cache
def _prepared_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor  # PostgreSQL only

    class Prepared(ServerBindingCursor):
        """Server-side binding, every statement prepared on its connection at first use."""

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, prepare=True)  # type: ignore[misc]

    return Prepared


_NEVER = 2**31 - 1  # psycopg's own threshold: nothing else is prepared without asking


def write_cursor() -> Any:
    """The write path's cursor. On PostgreSQL its statements are prepared once per connection
    (parsed and planned once, as psycopg does for the raw baseline of bench/lifecycle): the
    SQL of each shape is fixed, so a connection holds a few dozen. The ORM's cursors keep
    client-side binding. ``MOTCUA_DOSSIERS["PREPARED_STATEMENTS"] = False`` turns it off (a
    pooler that keeps no prepared statements: PgBouncer before 1.21 in transaction mode)."""
    prepared = settings.MOTCUA_DOSSIERS.get("PREPARED_STATEMENTS", True)
    if connection.vendor != "postgresql" or not prepared:
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    if raw.prepare_threshold is None:  # Django's default: psycopg prepares nothing
        raw.prepare_threshold = _NEVER
    cursor = _prepared_cursor_class()(raw)
    if connection.queries_logged:
        return _Logged(cursor, connection)
    return connection.make_cursor(cursor)


class _Logged(CursorDebugWrapper):
    """Logs each statement as written, placeholders and all: a prepared statement's text is
    never interpolated, so Django's ``last_executed_query`` has none to give."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


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
    """The columns an INSERT names: not the key, nor a column the database fills itself
    (``DossierEvent.xact``, the writing transaction's id, is its column default)."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.has_db_default()
    )


@cache
def _lock_sql(vendor: str) -> str:
    columns = ", ".join(f"d.{_q(str(field.column))}" for field in Dossier._meta.concrete_fields)
    sql = f"SELECT {columns} FROM {_q(Dossier._meta.db_table)} d WHERE d.id = %s"
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


def lock_dossier(dossier_id: int) -> Dossier | None:
    """The dossier, locked until the transaction ends; None when there is no such dossier.

    No joins: planning them cost more than running the whole statement. On SQLite there is
    no row lock: ``BEGIN IMMEDIATE`` (settings) already serialises writers.
    """
    with write_cursor() as cursor:
        cursor.execute(_lock_sql(connection.vendor), [dossier_id])
        row = cursor.fetchone()
    if row is None:
        return None
    fields = Dossier._meta.concrete_fields
    values = []
    for value, (converters, column) in zip(row, _converters(connection.vendor), strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        values.append(value)
    return Dossier.from_db(connection.alias, [f.attname for f in fields], values)


@cache
def _agencies_sql(vendor: str, named: bool) -> str:
    agency, version = _q(Agency._meta.db_table), _q(ProcedureVersion._meta.db_table)
    competent = f"(SELECT v.competent_agency_id FROM {version} v WHERE v.id = %s)"
    code, unit = _q("code"), _q("unit_id")
    where = "a.id = %s" if named else f"a.id = %s OR a.id = {competent}"
    return f"SELECT a.id, a.{code}, a.{unit}, {competent} FROM {agency} a WHERE {where}"


def transfer_agencies(
    receiving_agency_id: int, version_id: int, *, named: bool
) -> dict[int, tuple[int, str, int | None, int | None]]:
    """The receiving agency and, unless another is ``named``, the procedure's competent one:
    id -> (id, code, unit id, the procedure's competent agency id), in one query (a
    transfer names both agencies on its event)."""
    params = [version_id, receiving_agency_id, *([] if named else [version_id])]
    with write_cursor() as cursor:
        cursor.execute(_agencies_sql(connection.vendor, named), params)
        return {row[0]: tuple(row) for row in cursor.fetchall()}


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
    with write_cursor() as cursor:
        cursor.execute(sql, [agency_id, day_value])
        return int(cursor.fetchone()[0])


@cache
def _insert_sql(model: type[models.Model], fields: tuple[models.Field[Any, Any], ...]) -> str:
    columns = ", ".join(_q(str(field.column)) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {_q(model._meta.db_table)} ({columns}) VALUES ({values})"


@cache
def _new_sql(vendor: str, joined: str = "") -> str:
    """PostgreSQL: the dossier and its first event in one statement (with ``joined``)."""
    event_fields = _event_fields()
    event_columns = ", ".join(_q(str(f.column)) for f in event_fields)
    return (
        f"WITH d AS ({_insert_sql(Dossier, _insert_fields(Dossier))} RETURNING id){joined}"
        f" INSERT INTO {_q(DossierEvent._meta.db_table)} (dossier_id, {event_columns})"
        f" SELECT d.id, {', '.join(['%s'] * len(event_fields))} FROM d"
        " RETURNING dossier_id, id"
    )


@cache
def _event_fields() -> tuple[models.Field[Any, Any], ...]:
    return tuple(f for f in _insert_fields(DossierEvent) if f.attname != "dossier_id")


def write_new(dossier: Dossier, event: DossierEvent, joined: Joined | None = None) -> None:
    """Insert a new dossier and its first event (and ``joined``'s statements)."""
    if dossier.created_at is None:
        dossier.created_at = timezone.now()
    dossier_fields = _insert_fields(Dossier)
    joined = joined or Joined()
    with write_cursor() as cursor:
        if _one_statement():
            params = [
                *_row(dossier, dossier_fields),
                *joined.params(),
                *_row(event, _event_fields()),
            ]
            cursor.execute(_new_sql(connection.vendor, joined.sql()), params)
            dossier.pk, event.pk = cursor.fetchone()
        else:
            cursor.execute(_insert_sql(Dossier, dossier_fields), _row(dossier, dossier_fields))
            dossier.pk = cursor.lastrowid
            event.dossier_id = dossier.pk
            fields = _insert_fields(DossierEvent)
            cursor.execute(_insert_sql(DossierEvent, fields), _row(event, fields))
            event.pk = cursor.lastrowid
            joined.execute(cursor)
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


@cache
def _transition_sql(update: str, joined: str = "") -> str:
    """PostgreSQL: the dossier's update and its event's insert in one statement (with
    ``joined``)."""
    insert = _insert_sql(DossierEvent, _insert_fields(DossierEvent))
    return f"WITH d AS ({update}){joined} {insert} RETURNING id"


def write_transition(
    dossier: Dossier, names: Sequence[str], event: DossierEvent, joined: Joined | None = None
) -> None:
    """Write the named fields of a locked dossier and insert its new event (and
    ``joined``'s statements)."""
    fields, update = _update(tuple(names))
    update_params = [*_row(dossier, fields), dossier.pk]
    event_params = _row(event, _insert_fields(DossierEvent))
    joined = joined or Joined()
    with write_cursor() as cursor:
        if _one_statement():
            params = [*update_params, *joined.params(), *event_params]
            cursor.execute(_transition_sql(update, joined.sql()), params)
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(update, update_params)
            cursor.execute(_insert_sql(DossierEvent, _insert_fields(DossierEvent)), event_params)
            event.pk = cursor.lastrowid
            joined.execute(cursor)
    event._state.adding = False
