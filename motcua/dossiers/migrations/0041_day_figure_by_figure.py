"""One figure of a period's days for every unit read from an index by figure (issue 17).

A drill-down's count (a province's late resolutions of this month) sums one figure of the
month's days for every unit. ``day_figure_day_cover`` (0023) gave every figure of those days
and the scan kept one's: 5.295 entries for 124 at 10 M dossiers, 1,1 ms; by figure and day,
0,6 ms. The deltas are inserted, never updated: one more index entry a row (bench/lifecycle
0,51-0,53 with it, 0,52-0,53 without).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0040_event_indexes_justified"),
        ("units", "0002_treeversion"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dayfigure",
            index=models.Index(
                fields=["figure", "day"], include=("unit", "n"), name="day_figure_figure_cover"
            ),
        ),
    ]
