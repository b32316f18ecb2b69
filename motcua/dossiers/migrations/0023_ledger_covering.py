"""The ledger's day and month indexes carry the row (issue 17, bench/pages "dashboard_half").

A report sums the partial months at its period's edges from the day rows and its whole months
from the rollups, for every unit of a province (0019 indexed the day and the month alone). Once
the ledger is full (from about 1 M dossiers on: every unit, figure and working day has a row)
a province's half-year edges are 4.600 day rows and its months 4.550 month rows, fetched from
the table after the index: 850 and 612 heap pages for one statement in the benchmark's database
(loaded unit by unit; a ledger written day by day keeps a day's rows closer, but still fetches
them). With the unit, field, figure and count included, the same rows are read from the index
alone, about 40 pages each: the half-year's per-unit sums went from 29 to 17 ms at 1 M dossiers
(docs/performance.md). The ledger's rows are inserted, never updated (a month's rollup only
when a late write touches a closed month), so autovacuum keeps the visibility map current and
the scans stay index-only.

Each index replaces the one of 0019: a write keeps as many indexes. SQLite ignores INCLUDE.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_feeitem_kind"),
        ("dossiers", "0022_received_order"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="dayfigure",
            name="day_figure_day_idx",
        ),
        migrations.RemoveIndex(
            model_name="fielddayfigure",
            name="field_day_figure_day_idx",
        ),
        migrations.RemoveIndex(
            model_name="fieldmonthfigure",
            name="field_month_figure_month_idx",
        ),
        migrations.RemoveIndex(
            model_name="monthfigure",
            name="month_figure_month_idx",
        ),
        migrations.AddIndex(
            model_name="dayfigure",
            index=models.Index(
                fields=["day"], include=("unit", "figure", "n"), name="day_figure_day_cover"
            ),
        ),
        migrations.AddIndex(
            model_name="fielddayfigure",
            index=models.Index(
                fields=["day"],
                include=("unit", "field", "figure", "n"),
                name="field_day_figure_day_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="fieldmonthfigure",
            index=models.Index(
                fields=["month"],
                include=("unit", "field", "figure", "n"),
                name="field_month_figure_month_cover",
            ),
        ),
        migrations.AddIndex(
            model_name="monthfigure",
            index=models.Index(
                fields=["month"], include=("unit", "figure", "n"), name="month_figure_month_cover"
            ),
        ),
    ]
