"""``AnyOf``: a column among many values, as one parameter on PostgreSQL.

``field__in=[…]`` writes one placeholder per value: a unit scope of 222 ids (a province's
lineage) twice (receiving or handling unit) is 444 parameters, each prepared by Django and
interpolated by psycopg into a statement too long for its parse cache, on every page (~3 ms
of the API's dossier page at 1 M dossiers, docs/performance.md "bench/api"). PostgreSQL
plans ``col IN (1, 2, …)`` as ``col = ANY(ARRAY[1, 2, …])``; written so with the values as one
array parameter, the plan is the same and the statement short. Other engines get the IN list.

    from motcua.lib.lookups import AnyOf
    Dossier.objects.filter(AnyOf(F("receiving_unit_id"), unit_ids))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Lookup


def any_of_sql(column: str, values: Sequence[int], vendor: str) -> tuple[str, list[Any]]:
    """``column`` (SQL) among ``values`` (integers, not empty) for the database ``vendor``: the
    SQL of :class:`AnyOf`, for a statement written by hand (``dossiers.ledger_checkpoints``)."""
    if vendor != "postgresql":
        return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)
    if len(values) == 1:
        # One value as equality, as PostgreSQL rewrites ``IN (134)``: ``= ANY('{134}')`` is
        # not, and an index on (column, other) then gives no order on ``other`` (a commune's
        # page of receipts by date sorted 18.170 rows: 39 ms, not 1,5).
        return f"{column} = %s", [values[0]]
    # The array as its text: psycopg adapts a list element by element (5 ms a request for the
    # five lists of 1.000 ids of a drill-down's page, docs/performance.md).
    return f"{column} = ANY(%s::bigint[])", ["{" + ",".join(map(str, values)) + "}"]


class AnyOf(Lookup):
    """``lhs`` is one of ``values`` (integers): a boolean expression for ``filter`` or ``Q``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Any, values: Iterable[int]) -> None:
        super().__init__(lhs, sorted({int(value) for value in values}))

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        sql, params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet  # as Django's own ``__in=[]``: no row, no statement
        found, values = any_of_sql(sql, self.rhs, connection.vendor)
        return found, [*params, *values]
