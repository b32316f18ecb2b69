"""The ledger's day and month columns indexed alone (issue 17, bench/pages).

A report reads the partial months at its period's edges from the day rows and its whole months
from the rollups, for every unit of the province. On the key index (unit, [field,] figure, day)
that is one descent per unit and figure, thousands for a province, so PostgreSQL scanned the
whole day table instead (65 ms a report at 1 M dossiers, growing with the years kept). On the
day (or month) alone it reads the rows of those days: docs/performance.md.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0018_handling_pending_due"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dayfigure",
            index=models.Index(fields=["day"], name="day_figure_day_idx"),
        ),
        migrations.AddIndex(
            model_name="fielddayfigure",
            index=models.Index(fields=["day"], name="field_day_figure_day_idx"),
        ),
        migrations.AddIndex(
            model_name="monthfigure",
            index=models.Index(fields=["month"], name="month_figure_month_idx"),
        ),
        migrations.AddIndex(
            model_name="fieldmonthfigure",
            index=models.Index(fields=["month"], name="field_month_figure_month_idx"),
        ),
    ]
