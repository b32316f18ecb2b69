"""Indexes for the keyset pages (motcua.lib.paging, issue 17 item 1): each list reads its page
with ``WHERE (ordering columns) > (cursor) ORDER BY … LIMIT n`` on an index of exactly those
columns after its filter:

- a drill-down (``reports.drill``): a unit's dossiers by receipt, ``(receiving_unit,
  received_at, id)``;
- the end-of-day lists (``reports.eod``): a unit's pending dossiers by due moment,
  ``(receiving_unit, status, effective_due_at, code)``;
- the online submissions waiting at the desk (``backoffice``): ``(status, submitted_at, code)``.

The queue and the search order by ``(status, effective_due_at)``, already indexed.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0008_verbose_names"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["receiving_unit", "received_at", "id"], name="dossier_unit_received"
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["receiving_unit", "status", "effective_due_at", "code"],
                name="dossier_unit_pending_due",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                fields=["status", "submitted_at", "code"], name="dossier_status_submitted"
            ),
        ),
    ]
