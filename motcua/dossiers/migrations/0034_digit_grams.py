"""The back-office search for a phone or an ID number (issue 17, bench/pages "search_phone").

The province's trigram index (migration 0006) finds ``0921535719`` from the lists of "092",
"921", … "719": each digit trigram is in a tenth of a province's phones and in its codes'
dates and numbers, so a province leader's search read 858 index pages for eight lists of
hundreds of thousands of dossiers (40 ms of SQL at 10 M dossiers, 2 at 10 k). This index
keys the runs of seven digits or more of the search text (phones, ID numbers; not a code's
six-digit date nor its number) by their grams of six digits, as integers: a gram is in a
handful of dossiers, so a phone's two grams are two short lists
(``dossiers.selectors.digit_grams``).

``motcua_digit_grams`` is the index's expression. It is IMMUTABLE, as an index expression
must be, and uses only pg_catalog's functions, so that it does not depend on the session's
search path. PostgreSQL only.
"""

from django.db import migrations

FUNCTION = "motcua_digit_grams"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # dossiers.selectors.DIGIT_GRAM (6) and the shortest run it is taken from (7).
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}(body text)"
        " RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
        " SELECT ARRAY(SELECT DISTINCT substr(run[1], at, 6)::bigint"
        " FROM regexp_matches(body, '[0-9]{7,}', 'g') AS run,"
        " generate_series(1, length(run[1]) - 5) AS at)"
        " $$"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_digit_grams ON dossiers_dossier USING gin"
        f" ({FUNCTION}(search_text))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_digit_grams")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0033_procedure_statistics"),
    ]

    operations = [migrations.RunPython(create, drop)]
