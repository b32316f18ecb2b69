"""The resolutions of a period received before it, told late or not from the span index alone
(issue 17, bench/pages "drill_late").

A list of resolutions reads those received before the period from the span index (0004): the
stock at the period's start, in order of receipt. The index gave their resolution, but not
their timeliness: a list of the late, early or on-time ones fetched every dossier of that
stock from the table to test it (at 10 M dossiers, 20.000 rows twice a page, 89 ms of this
month's late resolutions). Carrying the timeliness, the scan stays index-only (the page
74 ms against 213).
"""

from django.db import migrations

SPAN = "motcua_open_span(received_at, resolved_at, ended_at)"
COVERED = "resolved_at, ended_at, receiving_unit_id, id"


def _span_index(schema_editor, covered: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_open_span")
    schema_editor.execute(
        f"CREATE INDEX dossier_open_span ON dossiers_dossier USING gist ({SPAN}, received_at)"
        f" INCLUDE ({covered})"
    )


def with_timeliness(apps, schema_editor):
    _span_index(schema_editor, f"{COVERED}, timeliness")


def without(apps, schema_editor):
    _span_index(schema_editor, COVERED)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_open_span_by_receipt"),
    ]

    operations = [migrations.RunPython(with_timeliness, without)]
