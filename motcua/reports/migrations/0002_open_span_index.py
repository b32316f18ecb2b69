"""The index behind a past moment's stock (issue 17): the dossiers still pending at a moment
(a period's carried-over and pending figures, their drill-down lists) are those whose open
span, from receipt to resolution or end, covers it. A B-tree on ``resolved_at`` or on
``received_at`` can only range over everything finished after the moment or received before
it (years of history: 8,2 s at 10 M dossiers); a GiST index on the span finds the spans that
cover the moment, as many as were open then.

PostgreSQL only (``reports.drill.span_covers`` asks it there); SQLite, the embedded default
for a small deployment, reads the unit's range of receipts. ``motcua_open_span`` is the span
as a range: from the receipt (unbounded before a receipt) to the resolution, else the end
(unbounded while open), never ending before it starts (a refusal recorded before the receipt
moment of an imported dossier would otherwise make an invalid range and refuse the row).
"""

from django.db import migrations

SPAN = """
CREATE OR REPLACE FUNCTION motcua_open_span(received timestamptz, resolved timestamptz,
                                            ended timestamptz)
RETURNS tstzrange LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF COALESCE(resolved, ended) IS NULL THEN
        RETURN tstzrange(received, NULL, '[]');
    END IF;
    RETURN tstzrange(received, GREATEST(received, COALESCE(resolved, ended)), '[]');
END
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SPAN)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_open_span ON dossiers_dossier"
        " USING gist (motcua_open_span(received_at, resolved_at, ended_at))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_open_span")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS motcua_open_span(timestamptz, timestamptz, timestamptz)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("dossiers", "0016_applicant_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
