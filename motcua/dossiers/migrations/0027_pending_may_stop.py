"""The pending dossiers stopped or ever asked for a supplement (issue 17).

The end-of-day page counts a province's lists per unit and officer. It read every pending
dossier (54.600 at 10 M dossiers) though most are due later and within time, on no list. It now
reads two parts (``reports.eod._may_count``): the dossiers due before the end of the next working
day, a range of the covering index of migration 0024; and those due later that a stopped clock
or the supplement rule may still make overdue (``dossiers.models.MAY_STOP``), on this index. The
second part is a few in a hundred pending dossiers (none in the benchmark's data).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0026_e_certified_received"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        ["awaiting_payment", "awaiting_supplement", "in_processing", "received"],
                    ),
                    models.Q(
                        ("paused_since__isnull", False),
                        ("supplement_requests__gt", 0),
                        _connector="OR",
                    ),
                ),
                fields=["effective_due_at"],
                name="dossier_pending_may_stop",
            ),
        ),
    ]
