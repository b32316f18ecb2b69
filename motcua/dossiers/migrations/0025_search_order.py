"""The back-office search in its order (issue 17): most recent receipt first, then code.

A search by words reads its matches on the trigram indexes and sorts them by receipt. A word
that many dossiers share (a province's leader searching "nguyen": 493.400 of 10 M dossiers) read
and sorted every match: 1,9 s; "be ngoc an", 2,3 s; "nguyen van an", 0,25 s. With the list's
order as an index, PostgreSQL reads the first page in order and tests each row's words, and
keeps the trigram index for rare words: 21, 65 and 40 ms (docs/performance.md). The index is on
the very expression the search orders by (``backoffice.selectors.SORTS["received"]``).
"""

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0024_pending_due_cover"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce("received_at", "submitted_at"),
                    descending=True,
                ),
                models.OrderBy(models.F("code"), descending=True),
                name="dossier_search_order",
            ),
        ),
    ]
