"""The pending dossiers in the end-of-day lists' order, covering what they test (issue 17).

Every dashboard and end-of-day page counts the unit's dossiers due today and on the next working
day (``reports.eod.end_of_day_counts``); the end-of-day page also counts every pending dossier
per unit and officer, and shows the first of each list by due moment and code. For a province
at 10 M dossiers (54.600 pending) each was read on the index on (status, effective due moment),
then fetched from the table one by one for its unit, officer, pause and supplement requests:

- the dashboard's count of the 5.000 due soon: 5.020 pages, 10,5 ms -> 3,1 ms from this index;
- the end-of-day page's counts per unit and officer: 54.700 pages, the statement 142 ms -> 45 ms;
- its first 20 overdue (26.100 of them): every pending dossier read and sorted, 78 ms -> 2 ms,
  this index giving the lists' order (``reports.eod.EOD_ORDER``) and its scan stopping there.

The index holds only the pending dossiers (5,6 MB in the benchmark's 10 M database). The same
columns covered on the whole table would have cost 736 MB (the index on (status, due) is 71 MB:
PostgreSQL deduplicates its keys, which it cannot do with INCLUDE). A dossier enters the index
when received and leaves it when finished; its transitions in between already update an index
holding its status. SQLite ignores INCLUDE and keeps the partial index.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0023_ledger_covering"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        ["awaiting_payment", "awaiting_supplement", "in_processing", "received"],
                    )
                ),
                fields=["effective_due_at", "code"],
                include=(
                    "id",
                    "receiving_unit",
                    "assignee",
                    "status",
                    "paused_since",
                    "supplement_requests",
                ),
                name="dossier_pending_due_cover",
            ),
        ),
    ]
