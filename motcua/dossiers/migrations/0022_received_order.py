"""A drill-down of many units in the list's order (issue 17, bench/pages "api_drill_full").

A page of a province's receipts (``figure=received``, its 222 units) asked for its first rows by
receipt among ``receiving_unit IN (…)``. The index per unit (``dossier_unit_received``) gives
that order one unit at a time only, so PostgreSQL read the whole period of every unit and sorted
it: 1,66 M entries, 309 ms at 10 M dossiers, a cost growing with the volume. This index holds
every dossier by receipt with its unit: the page reads its rows in order, checking each one's
unit in the index itself, and stops (0,48 ms). One unit still reads its own index; a few units of many read this
one, at most as many entries as the page times the share of the units (3 communes of 222: 4 ms).

The index on (receiving unit, receipt) goes: ``dossier_unit_received`` starts with the same
columns and serves every query it did, so a write keeps as many indexes as before.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0021_unit_search_trigrams"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="dossier",
            name="dossiers_do_receivi_3506d8_idx",
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["received_at", "id"],
                include=("receiving_unit",),
                name="dossier_received_order",
            ),
        ),
    ]
