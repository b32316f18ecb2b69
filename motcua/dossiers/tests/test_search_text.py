"""The back-office search column (``Dossier.search_text``, issue 10) is filled by both write
paths: the counter or the portal (``dossier_create``) and the history import."""

from __future__ import annotations

import pytest

from motcua.dossiers.history import import_history
from motcua.dossiers.models import Dossier, dossier_search_text
from motcua.dossiers.tests.test_history import lines, record, units  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_history_import_fills_the_search_column(units):  # noqa: F811
    applicant = {"name": "Nông Thị Hoa", "id_number": "006190012345", "phone": "0912 345 678"}
    import_history(lines(record(applicant=applicant | {"unit": "01840"})), label="old.jsonl")
    dossier = Dossier.objects.get()
    assert dossier.search_text == "000.00.58.h06-240102-0001 nong thi hoa 0912345678 006190012345"
    assert dossier.search_text == dossier_search_text(dossier)
