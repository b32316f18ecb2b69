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

from motcua.reports.migrations._span import COVERED, span_index


def with_timeliness(apps, schema_editor):
    span_index(schema_editor, f"{COVERED}, timeliness")


def without(apps, schema_editor):
    span_index(schema_editor, COVERED)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_open_span_by_receipt"),
    ]

    operations = [migrations.RunPython(with_timeliness, without)]
