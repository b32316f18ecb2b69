"""The twin of ``dossier_unit_pending_due`` for the handling unit (issue 17): a user's list is
read as two parts, received by her units and handled by them (``dossiers.access``), each on
its (unit, status, due, code) index, instead of one ``OR`` that walks the whole province's
pending dossiers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0017_declaration"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["handling_unit", "status", "effective_due_at", "code"],
                name="dossier_handling_pending_due",
            ),
        ),
    ]
