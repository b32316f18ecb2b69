# Joins the three dossiers migrations written side by side for issue 17: the end of the
# global chain, the ledger's checkpoints and compaction mark, and the paging indexes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0009_ledger_checkpoints"),
        ("dossiers", "0009_no_global_chain"),
        ("dossiers", "0010_paging_indexes"),
    ]

    operations = []
