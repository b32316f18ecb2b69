"""The unit tree's version: a token the database changes on every write to the units and
successions tables (``units.tree`` keeps the tree in memory while the token holds).

Triggers, not signals: a bulk update, a loader or SQL by hand changes the token too. On
PostgreSQL one trigger per statement (TRUNCATE included); SQLite has row triggers only, one per
event. The token is random, so a rolled-back change never brings back a token a process saw
inside that transaction."""

from django.db import migrations, models

TABLES = ("units_administrativeunit", "units_succession")

TOUCH_PG = """
CREATE FUNCTION units_tree_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO units_treeversion (id, token)
    VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""

TOUCH_SQLITE = (
    "INSERT INTO units_treeversion (id, token) VALUES (1, lower(hex(randomblob(16))))"
    " ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(TOUCH_PG)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_tree AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION units_tree_touch()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_tree_{event.lower()} AFTER {event} ON {table}"
                    f" BEGIN {TOUCH_SQLITE}; END"
                )
    # Other engines: no trigger, no row; units.tree then reads the tree every time.
    if vendor in ("postgresql", "sqlite"):
        schema_editor.execute(
            "INSERT INTO units_treeversion (id, token) VALUES (1, %s)", ["initial"]
        )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_tree ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS units_tree_touch()")
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_tree_{event}")


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="TreeVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=64, verbose_name="token")),
            ],
            options={
                "verbose_name": "unit tree version",
                "verbose_name_plural": "unit tree versions",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
