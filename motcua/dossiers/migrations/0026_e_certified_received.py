"""The dossiers certified electronically, in a drill-down's order (issue 17).

The drill-down of "certified electronically" (``reports.drill.necessary``) asks for the period's
receipts that are certification dossiers with ``electronic_certification``. A province or a
commune that certifies few or none electronically (the figure the committee pushes: 25% in the
seed) found no such row among the receipts it read in order, so PostgreSQL read every receipt of
the period: a province's year at 10 M dossiers, 1,7 M rows from 497.000 heap pages, 1,86 s for
an empty page; the current month, 162 ms. On this partial index, the page reads only dossiers
certified electronically, in order from the period's start: 25 ms and 23 ms empty; with one
certification dossier in twenty certified electronically (42.000 at 10 M), a full page in 39 ms
(docs/performance.md). It holds those dossiers only (a few in a hundred).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0025_search_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("electronic_certification", True)),
                fields=["received_at", "id"],
                name="dossier_e_certified_received",
            ),
        ),
    ]
