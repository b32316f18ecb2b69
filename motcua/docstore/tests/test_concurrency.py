"""Two clerks press "Dùng lại" for the same document and component at the same moment, on
PostgreSQL, each in its own thread and database connection: exactly one reuse is recorded,
the other clerk is told, and the dossier gets one file."""

from __future__ import annotations

import pytest

from motcua.docstore.errors import AlreadyReused
from motcua.docstore.models import DocumentReuse
from motcua.docstore.services import document_reuse
from motcua.docstore.tests.conftest import BIRTH, PERSON, dossier_for
from motcua.dossiers import figures
from motcua.dossiers.models import DossierFile
from motcua.lib.tests.threads import together

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_clerks_reusing_at_once_exactly_one_wins(world, stored):
    nxt = dossier_for(world, PERSON, at="03/01/2024 09:00")
    component = nxt.components.get(name=BIRTH)

    def press(actor):
        return lambda: document_reuse(
            document_id=stored.document.pk,
            dossier_id=nxt.pk,
            component_id=component.pk,
            actor=actor,
        )

    outcomes = together(press(world.clerk), press(world.officer))
    won = [o for o in outcomes if isinstance(o, DocumentReuse)]
    told = [o for o in outcomes if isinstance(o, AlreadyReused)]
    assert (len(won), len(told)) == (1, 1), outcomes
    assert DocumentReuse.objects.count() == 1
    assert DossierFile.objects.filter(dossier=nxt).count() == 1
    component.refresh_from_db()
    assert component.digitised
    assert figures.ledger_differences() == {}
