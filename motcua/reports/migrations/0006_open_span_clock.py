"""A past period's stock within its time, told from the span index alone (issue 17).

A drill-down of the dossiers within their time at a past period's end reads the stock at that
moment from the span index (0004) and keeps those that may be within time: no time limit, a
due moment not before the end as the columns stand now, or a clock stopped since before it
(``reports.drill.necessary``). The index gave none of those columns, so every dossier of the
stock was fetched from the table to test them: at 10 M dossiers the stock at a past moment is
20.000 dossiers, nearly all overdue for years, read twice a page. Carrying them, the scan stays
index-only.
"""

from django.db import migrations

from motcua.reports.migrations._span import COVERED, span_index

# What 0005 covered.
TIMELINESS = f"{COVERED}, timeliness"


def with_clock(apps, schema_editor):
    span_index(schema_editor, f"{TIMELINESS}, due_at, effective_due_at, paused_since")


def without(apps, schema_editor):
    span_index(schema_editor, TIMELINESS)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_open_span_timeliness"),
    ]

    operations = [migrations.RunPython(with_clock, without)]
