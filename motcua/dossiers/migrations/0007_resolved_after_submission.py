"""Issue 10 item 2, two clocks: a dossier may be resolved before its official receipt moment
(received at the counter at 18:10 and settled at once, §1.5), so a resolution must follow the
submission, no longer the receipt moment (ARCHITECTURE invariant 9)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0006_dossier_search_text"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="dossier",
            name="dossier_resolved_after_received",
        ),
        migrations.AddConstraint(
            model_name="dossier",
            constraint=models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True)
                | (
                    models.Q(received_at__isnull=False)
                    & models.Q(resolved_at__gte=models.F("submitted_at"))
                ),
                name="dossier_resolved_after_submitted",
            ),
        ),
    ]
