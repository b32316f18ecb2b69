"""A past moment's stock read in the drill-down's order (issue 17, bench/pages "drill_past").

The open spans' GiST index (0002, covering since 0003) finds the dossiers pending at a moment,
but not in the order of their receipts: a drill-down's page read every span open at the moment
and sorted them for its first 101 (36.200 entries, 6.400 buffers, about 40 ms at 10 M dossiers,
a cost growing with the stock). With the receipt as a second key (``btree_gist`` gives GiST
the B-tree types), ``ORDER BY received_at <-> <a moment before every receipt>`` is an ordered
scan of the index (KNN) that stops after the page: ``reports.drill.nearest_first`` reads the
receipt that ends a page this way, then the page up to it in the list's order.

The receipt was already carried by the index (``INCLUDE``); as a key it costs no more room.
``btree_gist`` is a trusted extension: the database owner may create it, as ``pg_trgm``
(dossiers 0006).
"""

from django.db import migrations

SPAN = "motcua_open_span(received_at, resolved_at, ended_at)"


def by_receipt(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute("DROP INDEX IF EXISTS dossier_open_span")
    schema_editor.execute(
        f"CREATE INDEX dossier_open_span ON dossiers_dossier USING gist ({SPAN}, received_at)"
        " INCLUDE (resolved_at, ended_at, receiving_unit_id, id)"
    )


def covering(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_open_span")
    schema_editor.execute(
        f"CREATE INDEX dossier_open_span ON dossiers_dossier USING gist ({SPAN})"
        " INCLUDE (received_at, resolved_at, ended_at, receiving_unit_id, id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_open_span_covering"),
    ]

    operations = [migrations.RunPython(by_receipt, covering)]
