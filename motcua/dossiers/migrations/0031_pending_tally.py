"""The pending tally (``PendingTally``), kept by triggers on the dossiers table.

A dossier counts while it is pending (``core.workflow.PENDING``, frozen here as it is today)
with a running clock and no supplement ever asked (``dossiers.models.NEVER_STOPPED``), has a
due moment and a receiving unit. Its key is (receiving unit, assignee, local day of the due
moment): Asia/Ho_Chi_Minh, UTC+7 all year since 1975, so SQLite adds seven hours to the UTC
text it stores. A write that changes whether or where a dossier counts inserts -1 for the old
key and +1 for the new one; writes that change neither insert nothing. On PostgreSQL a
TRUNCATE of the dossiers empties the tally too; a loader that turns triggers off
(``session_replication_role = replica``) rebuilds it (``dossiers.tally.tally_rebuild``).

``dossiers/tests/test_tally.py`` checks that the frozen states are still the pending ones;
``reports/tests/test_dashboard.py`` that the tally (and this migration's fill) equals the
end-of-day lists after every kind of write."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "dossiers_dossier"
TALLY = "dossiers_pendingtally"
PENDING = ("awaiting_payment", "awaiting_supplement", "in_processing", "received")
COLUMNS = (
    "status",
    "receiving_unit_id",
    "assignee_id",
    "effective_due_at",
    "paused_since",
    "supplement_requests",
)


def counted(row):
    states = ", ".join(f"'{state}'" for state in PENDING)
    return (
        f"{row}.status IN ({states}) AND {row}.paused_since IS NULL"
        f" AND {row}.supplement_requests = 0 AND {row}.effective_due_at IS NOT NULL"
        f" AND {row}.receiving_unit_id IS NOT NULL"
    )


def day_pg(row):
    return f"({row}.effective_due_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"


def day_sqlite(row):
    return f"date({row}.effective_due_at, '+7 hours')"


def insert(row, n, day):
    return (
        f"INSERT INTO {TALLY} (unit_id, assignee_id, due_day, n)"
        f" VALUES ({row}.receiving_unit_id, {row}.assignee_id, {day(row)}, {n})"
    )


TALLY_PG = [
    f"""
CREATE FUNCTION dossiers_pending_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was boolean := false;
    now_counted boolean := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        was := {counted("OLD")};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        now_counted := {counted("NEW")};
    END IF;
    IF was AND now_counted THEN
        IF OLD.receiving_unit_id = NEW.receiving_unit_id
           AND OLD.assignee_id IS NOT DISTINCT FROM NEW.assignee_id
           AND {day_pg("OLD")} = {day_pg("NEW")} THEN
            RETURN NULL;
        END IF;
    END IF;
    IF was THEN
        {insert("OLD", -1, day_pg)};
    END IF;
    IF now_counted THEN
        {insert("NEW", 1, day_pg)};
    END IF;
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION dossiers_pending_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {TALLY};
    RETURN NULL;
END
$$
""",
    f"""
CREATE TRIGGER dossiers_tally_insert AFTER INSERT ON {TABLE} FOR EACH ROW
    EXECUTE FUNCTION dossiers_pending_tally()
""",
    f"""
CREATE TRIGGER dossiers_tally_delete AFTER DELETE ON {TABLE} FOR EACH ROW
    EXECUTE FUNCTION dossiers_pending_tally()
""",
    f"""
CREATE TRIGGER dossiers_tally_update AFTER UPDATE ON {TABLE} FOR EACH ROW
    WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COLUMNS)})
    EXECUTE FUNCTION dossiers_pending_tally()
""",
    f"""
CREATE TRIGGER dossiers_tally_truncate AFTER TRUNCATE ON {TABLE} FOR EACH STATEMENT
    EXECUTE FUNCTION dossiers_pending_tally_truncate()
""",
]

_SAME_SQLITE = (
    "OLD.receiving_unit_id = NEW.receiving_unit_id AND OLD.assignee_id IS NEW.assignee_id"
    f" AND {day_sqlite('OLD')} = {day_sqlite('NEW')}"
)
TALLY_SQLITE = [
    f"CREATE TRIGGER dossiers_tally_insert AFTER INSERT ON {TABLE} WHEN {counted('NEW')}"
    f" BEGIN {insert('NEW', 1, day_sqlite)}; END",
    f"CREATE TRIGGER dossiers_tally_delete AFTER DELETE ON {TABLE} WHEN {counted('OLD')}"
    f" BEGIN {insert('OLD', -1, day_sqlite)}; END",
    f"CREATE TRIGGER dossiers_tally_update_old AFTER UPDATE ON {TABLE}"
    f" WHEN {counted('OLD')} AND NOT ({counted('NEW')} AND {_SAME_SQLITE})"
    f" BEGIN {insert('OLD', -1, day_sqlite)}; END",
    f"CREATE TRIGGER dossiers_tally_update_new AFTER UPDATE ON {TABLE}"
    f" WHEN {counted('NEW')} AND NOT ({counted('OLD')} AND {_SAME_SQLITE})"
    f" BEGIN {insert('NEW', 1, day_sqlite)}; END",
]


def fill(day):
    return (
        f"INSERT INTO {TALLY} (unit_id, assignee_id, due_day, n)"
        f" SELECT receiving_unit_id, assignee_id, {day('d')}, COUNT(*) FROM {TABLE} d"
        f" WHERE {counted('d')} GROUP BY 1, 2, 3"
    )


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in TALLY_PG:
            schema_editor.execute(sql)
        schema_editor.execute(fill(day_pg))
    elif vendor == "sqlite":
        for sql in TALLY_SQLITE:
            schema_editor.execute(sql)
        schema_editor.execute(fill(day_sqlite))
    # Other engines: no trigger, no rows; reports.eod then counts the dossiers themselves.


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in ("insert", "delete", "update", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dossiers_tally_{name} ON {TABLE}")
        schema_editor.execute("DROP FUNCTION IF EXISTS dossiers_pending_tally()")
        schema_editor.execute("DROP FUNCTION IF EXISTS dossiers_pending_tally_truncate()")
    elif vendor == "sqlite":
        for name in ("insert", "delete", "update_old", "update_new"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS dossiers_tally_{name}")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0030_rollups_by_figure"),
        ("units", "0002_treeversion"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_day", models.DateField(verbose_name="due day")),
                ("n", models.BigIntegerField(verbose_name="count")),
                (
                    "assignee",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="units.administrativeunit",
                        verbose_name="receiving unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "pending tally",
                "verbose_name_plural": "pending tallies",
                "indexes": [
                    models.Index(
                        fields=["unit", "due_day"],
                        include=("assignee", "n"),
                        name="pending_tally_key",
                    ),
                    models.Index(fields=["due_day"], name="pending_tally_day"),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
