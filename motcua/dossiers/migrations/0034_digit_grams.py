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

Built ``CONCURRENTLY``, outside a transaction (``atomic = False``): at 10 M dossiers the build
evaluates the function on every row for 12 minutes, and a plain ``CREATE INDEX`` holds a
SHARE lock on the dossiers for that long, so no dossier could be received or moved on
anywhere in the province. Concurrently, writes go on; a build that was stopped leaves the
index INVALID, and the next ``motcua migrate`` drops it and builds it again.
"""

from django.db import migrations

FUNCTION = "motcua_digit_grams"
INDEX = "dossier_digit_grams"


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
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname = %s",
            [INDEX],
        )
        stopped = cursor.fetchone()
    if stopped and stopped[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON dossiers_dossier USING gin"
        f" ({FUNCTION}(search_text))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0033_procedure_statistics"),
    ]

    operations = [migrations.RunPython(create, drop)]
