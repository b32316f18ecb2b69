"""The rollups read by figure (issue 17).

A report's stocks start from the last yearly checkpoint plus the rollups of the spans between it
and the period (``dossiers.ledger_checkpoints.ledger_sums``): two figures of 21, over up to 22
half-months since 0029. On the index by span alone, the overdue JSON of a province read every
figure of those spans and kept one in ten (22.700 rows left out, 14 ms at 10 M dossiers); by
figure first it reads the two (2 ms). The dashboard's trend (seven flows) reads the same way.
The rollups are written only when a span is taken or a back-dated write adjusts it, so the
write path pays nothing for it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0029_rollups_by_half_month"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="monthfigure",
            index=models.Index(
                fields=["figure", "month"],
                include=("unit", "n"),
                name="month_figure_figure_cover",
            ),
        ),
    ]
