"""The back-office search per unit (issue 17, bench/pages "search").

The trigram index of migration 0006 holds one posting list per trigram for the whole province:
a commune's clerk searching "nguyen van an" made PostgreSQL read the lists of "ngu", "guy",
"uye", "yen" and "van", millions of names at 10 M dossiers, to keep the commune's few hundred
(125 ms, growing with the province). This index keys each trigram by the unit too, the unit
that received the dossier and the one handling it (the two halves of a user's scope,
``dossiers.access``): (12, "ngu") lists the dossiers of unit 12 only, so a search within a few
units reads lists the size of those units (``dossiers.selectors.with_words``).

``motcua_unit_trigrams`` is the index's expression: the trigrams inside the words of the
search text (pg_trgm's ``show_trgm``), each keyed by each of the two units as one integer. It
is IMMUTABLE, as an index expression must be, and names pg_trgm's schema so that it does not depend on the session's
search path (a restore runs with an empty one). PostgreSQL only: SQLite has neither index.
"""

from django.db import migrations

FUNCTION = "motcua_unit_trigrams"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        )
        (schema,) = cursor.fetchone()
    trgm = f"{connection.ops.quote_name(schema)}.show_trgm"
    # One key per trigram inside a word (no space: pg_trgm pads a word's edges with spaces,
    # and a search word's own edges are not a stored word's) and per unit:
    # unit << 24 | the trigram's three bytes. A trigram of other letters than ASCII (longer
    # than three bytes in show_trgm's output) is left out: the search's words are folded
    # to ASCII, and a word of other letters is matched without this index.
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}(receiving bigint, handling bigint, body text)"
        " RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
        " SELECT ARRAY(SELECT (unit << 24) | (ascii(substr(trigram, 1, 1)) << 16)"
        " | (ascii(substr(trigram, 2, 1)) << 8) | ascii(substr(trigram, 3, 1))"
        " FROM unnest(ARRAY[receiving, nullif(handling, receiving)]) AS unit,"
        f" unnest({trgm}(body)) AS trigram"
        " WHERE unit IS NOT NULL AND octet_length(trigram) = 3 AND strpos(trigram, ' ') = 0)"
        " $$"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_unit_search_trgm ON dossiers_dossier USING gin"
        f" ({FUNCTION}(receiving_unit_id, handling_unit_id, search_text))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_unit_search_trgm")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint, bigint, text)")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0020_open_received"),
    ]

    operations = [migrations.RunPython(create, drop)]
