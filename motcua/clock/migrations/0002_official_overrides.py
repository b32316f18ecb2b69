"""Load the official calendar decisions the holidays package lacks (§7.4), on every install.

Later amendments to the data file are applied with `motcua clock load-official`.
"""

from django.db import migrations


def load(apps, schema_editor):
    from motcua.clock.services import read_overrides_file

    CalendarOverride = apps.get_model("clock", "CalendarOverride")
    for item in read_overrides_file():
        CalendarOverride.objects.update_or_create(
            province=None,
            date=item.day,
            defaults={"kind": item.kind.value, "name": item.name, "legal_ref": item.legal_ref},
        )


class Migration(migrations.Migration):
    dependencies = [("clock", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
