"""The planner told how many dossiers each procedure version has (issue 17).

A list filtered by a procedure (the search, the queue, the API's list) is read in its order
on an index, the rows of other procedures passed over, or read from the versions' index and
sorted. PostgreSQL chooses from its estimate of the procedure's share, and kept the hundred
most common versions only: a province's other versions were all given the average share
(4.400 dossiers of 10 M for a procedure with 850), so the search walked its order through
174.000 rows for one page (1,3 s at 10 M dossiers; the API's list 241 ms). With as many
entries as a province's catalogue has versions, every version's share is known, and a rare
procedure is read from its own index (32 ms and 17 ms). ``dossiers.selectors.procedure_versions``
gives the versions' ids, which these statistics describe.
"""

from django.db import migrations

# A province's catalogue holds about 2.000 procedures, a version or two each in use.
TARGET = 2500


def more_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE dossiers_dossier ALTER COLUMN procedure_version_id SET STATISTICS {TARGET}"
    )
    schema_editor.execute("ANALYZE dossiers_dossier (procedure_version_id)")


def default_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE dossiers_dossier ALTER COLUMN procedure_version_id SET STATISTICS -1"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0032_received_order_finish"),
    ]

    operations = [migrations.RunPython(more_statistics, default_statistics)]
