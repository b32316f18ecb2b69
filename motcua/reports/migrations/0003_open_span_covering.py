"""The past moment's stock read from the index alone (issue 17, bench/pages "drill_past").

The open spans' GiST index (0002) finds the dossiers pending at a moment, then PostgreSQL read
each one's row for its receipt, unit and id, to keep the unit's and sort them for a page: at 10 M
dossiers, 36.200 rows from 18.100 table pages (145 ms), a cost growing with the stock. The
index now carries those columns (``INCLUDE``): the drill-down's candidates are an index-only
scan, and the table is read only for rows changed since the last vacuum. The resolution and
end are included too: they are the span's own columns, which an index-only scan must be able
to give back as well.
"""

from django.db import migrations

SPAN = "motcua_open_span(received_at, resolved_at, ended_at)"


def covering(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_open_span")
    schema_editor.execute(
        f"CREATE INDEX dossier_open_span ON dossiers_dossier USING gist ({SPAN})"
        " INCLUDE (received_at, resolved_at, ended_at, receiving_unit_id, id)"
    )


def plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_open_span")
    schema_editor.execute(f"CREATE INDEX dossier_open_span ON dossiers_dossier USING gist ({SPAN})")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_open_span_index"),
    ]

    operations = [migrations.RunPython(covering, plain)]
