"""Lists of late resolutions and of ends read from an index by receipt alone (issue 17,
bench/pages "drill_late").

A drill-down of resolutions reads those received in the period in order on
``dossier_received_order`` (0022), and tested each one's resolution and timeliness on the
table: this month's late resolutions of a province fetched its 28.000 receipts of the month,
most still pending, to find the few resolved late (50 ms at 10 M dossiers, a cost growing with
the volume). Carrying those two columns, the index answers alone (3 ms). The span index
carries the timeliness for the dossiers received before the period (reports 0005).

The dossiers withdrawn or stopped are few (0,3 % at 10 M): a list of a period's ends walked
the receipts to find them (77–110 ms at 10 M). A partial index holds them alone, in order
(30.000 entries at 10 M; the list 38–48 ms).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0031_pending_tally"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="dossier",
            name="dossier_received_order",
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["received_at", "id"],
                include=("receiving_unit", "resolved_at", "timeliness"),
                name="dossier_received_order",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(ended_at__isnull=False),
                fields=["received_at", "id"],
                include=("ended_at", "receiving_unit"),
                name="dossier_ended_received",
            ),
        ),
    ]
