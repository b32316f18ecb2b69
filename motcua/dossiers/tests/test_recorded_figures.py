"""The digitised and e-certified figures follow the records that decide them (issue 14):
``component_digitised_set`` and ``dossier_e_certified_set`` move the ledger with the flag."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.core.metrics import Bucket, Period
from motcua.dossiers import figures
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.services import Component, component_digitised_set, dossier_e_certified_set
from motcua.reports.selectors import report_for

pytestmark = pytest.mark.django_db

JANUARY = Period(date(2024, 1, 1), date(2024, 1, 31))


def test_a_component_digitised_later_counts_from_then(world):
    dossier = world.create(
        components=[Component("Tờ khai", originals=1), Component("Giấy khai sinh", originals=1)]
    )
    first, second = dossier.components.all()
    assert report_for(world.city, JANUARY)[Bucket.DIGITISED] == 0

    assert component_digitised_set(component_id=first.pk, digitised=True) is True
    assert report_for(world.city, JANUARY)[Bucket.DIGITISED] == 0  # one still on paper only
    assert component_digitised_set(component_id=second.pk, digitised=True) is True
    assert report_for(world.city, JANUARY)[Bucket.DIGITISED] == 1
    assert component_digitised_set(component_id=second.pk, digitised=True) is False
    assert figures.ledger_differences() == {}

    component_digitised_set(component_id=second.pk, digitised=False)
    assert report_for(world.city, JANUARY)[Bucket.DIGITISED] == 0
    assert figures.ledger_differences() == {}


def test_an_unknown_component_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        component_digitised_set(component_id=999_999, digitised=True)
    assert refused.value.field == "component"


def test_the_e_certified_figure_follows_the_register(world):
    world.procedure.is_certification = True
    world.procedure.save(update_fields=["is_certification"])
    dossier = world.create()
    assert report_for(world.city, JANUARY)[Bucket.E_CERTIFIED] == 0

    assert dossier_e_certified_set(dossier_id=dossier.pk, e_certified=True) is True
    assert report_for(world.city, JANUARY)[Bucket.E_CERTIFIED] == 1
    assert dossier_e_certified_set(dossier_id=dossier.pk, e_certified=True) is False
    assert figures.ledger_differences() == {}

    dossier_e_certified_set(dossier_id=dossier.pk, e_certified=False)
    assert report_for(world.city, JANUARY)[Bucket.E_CERTIFIED] == 0
    assert figures.ledger_differences() == {}
