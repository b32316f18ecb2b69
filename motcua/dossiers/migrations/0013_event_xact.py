# The change feed (issue 12): each event's writing transaction id, filled by the database in
# the INSERT itself (a column default), a partial index on (xact, id), and the consumers'
# positions (FeedCursor).
#
# Written as SQL per engine rather than Django's AddField: on PostgreSQL an ADD COLUMN with a
# volatile default (pg_current_xact_id) would rewrite the whole table to fill the existing
# rows, 30 M of them on the bench database. Adding the column without a default is a catalog
# change only; SET DEFAULT afterwards applies to new rows only. The index is partial (only
# rows with xact, none of the existing ones), so building it reads the table once and writes
# nothing: its cost, and why it is not CONCURRENTLY, in docs/performance.md.

from django.db import migrations, models

import motcua.dossiers.models

TABLE = "dossiers_dossierevent"

FORWARD = {
    # IF NOT EXISTS: an operator may have run these by hand first, the index CONCURRENTLY
    # (docs/performance.md, "The change feed's migration"); then this finds them done.
    "postgresql": [
        f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS xact bigint NULL",
        f"ALTER TABLE {TABLE} ALTER COLUMN xact SET DEFAULT (pg_current_xact_id()::text::bigint)",
        f"CREATE INDEX IF NOT EXISTS event_feed_order ON {TABLE} (xact, id)"
        " WHERE xact IS NOT NULL",
    ],
    "sqlite": [
        f'ALTER TABLE {TABLE} ADD COLUMN "xact" bigint NULL',
        f'CREATE INDEX "event_feed_order" ON {TABLE} ("xact", "id") WHERE "xact" IS NOT NULL',
    ],
}
BACKWARD = {
    "postgresql": [
        "DROP INDEX event_feed_order",
        f"ALTER TABLE {TABLE} DROP COLUMN xact",
    ],
    "sqlite": [
        'DROP INDEX "event_feed_order"',
        f'ALTER TABLE {TABLE} DROP COLUMN "xact"',
    ],
}


def forward(apps, schema_editor):
    for sql in FORWARD[schema_editor.connection.vendor]:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in BACKWARD[schema_editor.connection.vendor]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0012_month_figures'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='dossierevent',
                    name='xact',
                    field=models.BigIntegerField(blank=True, db_default=motcua.dossiers.models.CurrentTransactionId(), editable=False, null=True, verbose_name='transaction'),
                ),
                migrations.AddIndex(
                    model_name='dossierevent',
                    index=models.Index(condition=models.Q(('xact__isnull', False)), fields=['xact', 'id'], name='event_feed_order'),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
        migrations.CreateModel(
            name='FeedCursor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='consumer')),
                ('position_xact', models.BigIntegerField(default=0, verbose_name='position: transaction')),
                ('position_id', models.BigIntegerField(default=0, verbose_name='position: event')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
            ],
            options={
                'verbose_name': 'feed cursor',
                'verbose_name_plural': 'feed cursors',
            },
        ),
    ]
