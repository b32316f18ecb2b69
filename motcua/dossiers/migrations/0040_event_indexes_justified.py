"""The event table keeps only the indexes something reads (issue 17).

Two of its indexes were read by nothing, and every event wrote an entry in each
(docs/performance.md, "Partitioning the events by month"; sizes at 30 M events, the 10 M
benchmark database):

- the ``varchar_pattern_ops`` twin PostgreSQL gets for a ``unique=True`` text field, for
  ``LIKE 'abc%'`` (2,7 GB, as large as the uniqueness's own index; no code searches hashes
  by prefix). Declaring the uniqueness as a ``UniqueConstraint`` has no twin;
- the foreign key's own index on ``dossier_id`` (469 MB): the unique ``(dossier_id, seq)``
  index starts with the same column and serves every read by dossier, already in order
  (``EXPLAIN (ANALYZE, BUFFERS)`` of the timeline at 10 M: an index scan of 8 buffers).

Nothing is rebuilt: the twin and the foreign key's index are dropped, and the uniqueness's
existing index is renamed. Letting Django alter the fields would drop and re-add the foreign
key (validating every row under an exclusive lock) and build the unique index again, minutes
at this size. On SQLite the field's uniqueness is part of the table (an automatic index that
cannot be renamed) and stays as it is: the same rule under another name.
"""

from django.db import migrations, models

TABLE = "dossiers_dossierevent"
# The names 0001 gave them (Django's names for this table and these columns; reversing only).
FOREIGN_KEY_INDEX = "dossiers_dossierevent_dossier_id_90237d93"
HASH_TWIN = "dossiers_dossierevent_hash_0d369cdf_like"
HASH_UNIQUE = "dossiers_dossierevent_hash_key"


def _indexes_on(schema_editor, column):
    """{name: facts} of the table's indexes and unique constraints over ``column`` alone."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name: facts
        for name, facts in found.items()
        if facts["columns"] == [column] and (facts["index"] or facts["unique"])
    }


def drop_unread_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name, facts in _indexes_on(schema_editor, "dossier_id").items():
        if not facts["unique"]:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, facts in _indexes_on(schema_editor, "hash").items():
        if not facts["unique"]:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
        elif name != "event_hash_unique":
            schema_editor.execute(
                f"ALTER TABLE {TABLE} RENAME CONSTRAINT {quote(name)} TO event_hash_unique"
            )


def restore_unread_indexes(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {FOREIGN_KEY_INDEX} ON {TABLE} (dossier_id)")
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {TABLE} RENAME CONSTRAINT event_hash_unique TO {HASH_UNIQUE}"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {HASH_TWIN} ON {TABLE} (hash varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0039_rollups_vacuumed_after_take"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossierevent",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="events",
                        to="dossiers.dossier",
                        verbose_name="dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossierevent",
                    name="hash",
                    field=models.CharField(max_length=64, verbose_name="hash"),
                ),
                migrations.AddConstraint(
                    model_name="dossierevent",
                    constraint=models.UniqueConstraint(fields=("hash",), name="event_hash_unique"),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_unread_indexes, restore_unread_indexes),
            ],
        ),
    ]
