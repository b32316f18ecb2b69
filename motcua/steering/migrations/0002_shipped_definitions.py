"""Load the shipped indicator definitions (steering/definitions.py) on every install.

Later changes to the data are applied with `motcua steering definitions`.
"""

from django.db import migrations


def load(apps, schema_editor):
    from motcua.steering.definitions import DEFINITIONS

    IndicatorDefinition = apps.get_model("steering", "IndicatorDefinition")
    # Only the fields this migration's model has, so later fields in the data do not break it.
    known = {f.name for f in IndicatorDefinition._meta.get_fields()}
    for data in DEFINITIONS:
        values = {k: v for k, v in data.items() if k in known and k != "code"}
        IndicatorDefinition.objects.update_or_create(code=data["code"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("steering", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
