"""The ledger's rollups by half-month (issue 17).

The rollups were by calendar month. A Decree 09/2019 reporting period runs from the 15th to
the 14th, so every one of them (the committee's month, quarter, half-year and year) read half a
month of day rows at each end: a province's half-year read 22.500 day rows and 5.400 rollups at
10 M dossiers. The rollups are now by half-month, days 1–14 and 15 to the month's end
(``dossiers.ledger_checkpoints.span_start``): a calendar period and a reporting period are both
whole spans.

The calendar months' rollups are removed here, with the record of which were taken. Until the
worker's next daily step (``ledger_maintain``) or ``motcua report compact`` takes the half-months,
reports read the day rows: the same figures, more slowly. The previous release's worker may take
calendar months again before it is restarted (docs/deployment.md, "Upgrades"): that does no
harm, as the reads, the adjustments and ``report verify`` follow the spans ``LedgerMonth``
records, whatever their length, and the half-months continue after the last of them. Reversing
removes the half-months the same way (the old code then takes its months again).
"""

from django.db import migrations


def without_rollups(apps, schema_editor):
    for name in ("MonthFigure", "FieldMonthFigure", "LedgerMonth"):
        apps.get_model("dossiers", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0028_search_due"),
    ]

    operations = [migrations.RunPython(without_rollups, without_rollups)]
