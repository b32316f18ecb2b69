"""The ledger's rollups vacuumed within a minute of the night's take (issue 17).

The rollups and checkpoints are read from covering indexes alone, which PostgreSQL does only
for pages its visibility map marks all-visible: a page of rows inserted since the table's last
vacuum is read from the table too. These tables take their rows at night, a few thousand at a
time (a half-month of a province: 222 units × 21 figures), and autovacuum's default for
inserts waits for a fifth of the table: at 1 M dossiers the blocks' 113.000 rows would wait
for 23.000 new ones, half a year of takes. In the benchmark's 1 M database the blocks were
not all-visible; a province's half-year sums read 928 table pages for 3.302 rows, and the
statement took 3,98 ms on the server, 2,38 once vacuumed (docs/performance.md).

With no share of the table and 100 rows, autovacuum vacuums and analyzes each of these
tables in the minute after any take (``autovacuum_naptime``). A vacuum skips the pages
already all-visible, so it costs the pages just written. SQLite has no visibility map.
"""

from django.db import migrations

TABLES = (
    "dossiers_monthfigure",
    "dossiers_fieldmonthfigure",
    "dossiers_blockfigure",
    "dossiers_fieldblockfigure",
    "dossiers_stockcheckpoint",
    "dossiers_fieldstockcheckpoint",
)
SETTINGS = (
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_vacuum_insert_scale_factor",
    "autovacuum_analyze_threshold",
    "autovacuum_analyze_scale_factor",
)
VALUES = ("100", "0", "100", "0")


def vacuumed_after_take(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    options = ", ".join(f"{name} = {value}" for name, value in zip(SETTINGS, VALUES, strict=True))
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET ({options})")


def autovacuum_defaults(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0038_pending_order_per_unit"),
    ]

    operations = [migrations.RunPython(vacuumed_after_take, autovacuum_defaults)]
