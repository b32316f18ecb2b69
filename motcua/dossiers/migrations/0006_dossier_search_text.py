"""The back-office search column (issue 10 item 3): filled for the dossiers already stored,
and indexed for substring search on PostgreSQL (a trigram index, which serves the
``LIKE '%word%'`` the search runs; SQLite has no such index and scans the scoped rows)."""

import re

from django.db import migrations, models

BATCH = 2000


def fill(apps, schema_editor):
    # The same folding as dossiers.models.dossier_search_text, inlined: a migration must not
    # depend on code that may change after it.
    import unicodedata

    def fold(text):
        folded = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
        return "".join(ch for ch in folded if not unicodedata.combining(ch))

    def phone_key(phone):
        digits = re.sub(r"\D", "", phone)
        if phone.strip().startswith("+84") or (digits.startswith("84") and len(digits) >= 11):
            digits = "0" + digits[2:]
        return digits

    Dossier = apps.get_model("dossiers", "Dossier")
    db = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(
            Dossier.objects.using(db)
            .filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "code", "applicant_name", "applicant_phone", "applicant_id_number")[:BATCH]
        )
        if not rows:
            return
        for row in rows:
            phone = phone_key(row.applicant_phone)
            parts = (row.code, row.applicant_name, phone, row.applicant_id_number)
            row.search_text = fold(" ".join(p for p in parts if p))[:400]
        Dossier.objects.using(db).bulk_update(rows, ["search_text"], batch_size=500)
        last = rows[-1].pk


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_search_trgm ON dossiers_dossier"
        " USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_dossier_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="search_text",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=400, verbose_name="search text"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
