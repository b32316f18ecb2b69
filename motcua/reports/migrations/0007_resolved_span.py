"""The resolutions received before a period read from the spans of resolved dossiers alone
(issue 17, bench/pages "drill_late").

A list of resolutions reads those received before the period from the stock at its start, in
order of receipt, on the span index (0004). That stock holds every dossier never finished
received before it (19.850 of the 41.610 open on 01/12/2026 at 10 M dossiers), the oldest,
so the first an ordered scan meets: it skipped them one entry at a time (651 index pages,
3,7 ms for this month's late resolutions, a cost growing with the years of history). A GiST
index on the spans of resolved dossiers alone (``reports.drill.RESOLVED_SPAN``) holds none of
them: the same scan reads 252 pages, 0,46 ms.

Its cost: one more index entry per resolution and per later change of a resolved dossier,
and 1,45 GB at 10 M dossiers (docs/performance.md, twenty-seventh session). PostgreSQL only.
"""

from django.db import migrations

# reports.drill.RESOLVED_SPAN, on the columns (the two must be the same expression for
# PostgreSQL to use the index).
RESOLVED_SPAN = "tstzrange(received_at, GREATEST(received_at, resolved_at), '[]')"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX dossier_resolved_span ON dossiers_dossier USING gist ({RESOLVED_SPAN},"
        " received_at) INCLUDE (resolved_at, receiving_unit_id, timeliness, id)"
        " WHERE resolved_at IS NOT NULL"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_resolved_span")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_open_span_clock"),
    ]

    operations = [migrations.RunPython(create, drop)]
