"""The signed-in staff member of a request, read with what every staff page asks next.

Before its own work, every staff page asked the database four things: the session, the user,
her grants (the menu and every access check, ``accounts.access``) and the token of the units'
tree (``units.tree``). Through the ORM that was 2,7 ms of each page at province scale,
compiling the four queries costing more than running them (issue 17, docs/performance.md).
:class:`StaffBackend` reads the user, her grants and the token in one statement built once
per database; the session is read by a statement of its own (``motcua.lib.sessions``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router
from django.db.models.expressions import Col

from motcua.accounts.access import grants_known
from motcua.accounts.models import User
from motcua.units.models import TreeVersion
from motcua.units.tree import TOKEN_ID, token_seen

Converter = Callable[[Any, Any, Any], Any]


@functools.cache
def _statement(alias: str) -> tuple[str, list[str], list[tuple[int, Col, list[Converter]]]]:
    """The statement, the user's field names in its column order, and the converters the ORM
    would apply to them on this database (SQLite's aware datetimes, for one)."""
    connection = connections[alias]
    fields = list(User._meta.concrete_fields)
    columns = ", ".join(f"u.{connection.ops.quote_name(str(field.column))}" for field in fields)
    # The tables of the models imported above, as their migrations named them.
    sql = (
        f"SELECT {columns}, g.role, g.unit_id, g.agency_id,"
        f" (SELECT t.token FROM units_treeversion t WHERE t.id = {TOKEN_ID})"
        " FROM accounts_user u LEFT JOIN accounts_roleassignment g ON g.user_id = u.id"
        " WHERE u.id = %s"
    )
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(User._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, column, found))
    return sql, [field.attname for field in fields], converters


class StaffBackend(ModelBackend):
    """Django's ``ModelBackend`` (passwords, permissions), whose ``get_user`` also keeps the
    user's grants (``accounts.access.grants_known``) and the tree's token
    (``units.tree.token_seen``) for the rest of the request: one statement where the ORM
    took three."""

    def get_user(self, user_id: Any) -> User | None:
        if not isinstance(user_id, int):
            return None
        alias = router.db_for_read(User)
        sql, names, converters = _statement(alias)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, [user_id])
            rows = cursor.fetchall()
        if not rows:
            return None
        values = list(rows[0][: len(names)])
        for index, column, found in converters:
            for converter in found:
                values[index] = converter(values[index], column, connection)
        user = User.from_db(alias, names, values)
        grants_known(user, [row[len(names) : len(names) + 3] for row in rows if row[len(names)]])
        if router.db_for_read(TreeVersion) == alias:
            token_seen(rows[0][-1])
        return user if self.user_can_authenticate(user) else None
