"""The dossiers not finished, by receipt (issue 17, bench/pages).

A drill-down of a period not over yet (pending, pending and overdue at its end) lists the
dossiers still open. From the open spans' GiST index PostgreSQL read the province's whole stock
and sorted it for a page of 50 (174 ms at 10 M dossiers); this partial index holds them in the
list's order (received_at, id), so a page reads its rows and stops. The partial index on
``ended_at`` answers, with the one on ``resolved_at``, whether anything finished since a
moment (``reports.drill.finished_since``).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0019_ledger_day_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", True), ("resolved_at__isnull", True)),
                fields=["received_at", "id"],
                name="dossier_open_received",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("ended_at__isnull", False)),
                fields=["ended_at"],
                name="dossier_ended",
            ),
        ),
    ]
