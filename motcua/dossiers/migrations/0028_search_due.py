"""The back-office search by due moment in its order (issue 17), as 0025 for the receipt.

Sorted by due moment (``backoffice.selectors.SORTS["due"]``), a search over every state read
and sorted all its matches: a province's leader searching "nguyen" sorted 49.922 of 1 M
dossiers, 175 ms (1,3 s at 10 M). With the order as an index, PostgreSQL reads the first page
in order and tests each row's words (1,2 ms; "hoang thi" 8,9 ms; "0912" 6,8 ms), and keeps the
trigram index for rare words ("zzqx": 0,04 ms), as for the receipt's order
(docs/performance.md). The end-of-day lists' index on the same columns holds pending dossiers
only.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0027_pending_may_stop"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["effective_due_at", "code"], name="dossier_search_due"),
        ),
    ]
