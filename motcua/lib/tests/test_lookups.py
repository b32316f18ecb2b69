"""``AnyOf`` keeps the rows whose column is among the values, as ``__in`` does, on both
engines (one array parameter on PostgreSQL), and none for no values."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from motcua.lib.lookups import AnyOf
from motcua.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _world(bac_kan_world):
    return None


def test_any_of_is_in():
    ids = list(AdministrativeUnit.objects.order_by("id").values_list("id", flat=True)[:40:3])
    parents = [p for p in AdministrativeUnit.objects.values_list("parent_id", flat=True) if p][:5]
    units = AdministrativeUnit.objects.all()
    expected = set(units.filter(Q(pk__in=ids) | Q(parent_id__in=parents)).values_list("pk"))
    with CaptureQueriesContext(connection) as queries:
        found = set(
            units.filter(Q(AnyOf(F("id"), ids)) | Q(AnyOf(F("parent_id"), parents))).values_list(
                "pk"
            )
        )
    assert found == expected
    assert len(expected) > len(ids)
    (statement,) = queries.captured_queries
    if connection.vendor == "postgresql":
        assert statement["sql"].count("ANY(") == 2
    assert not units.filter(AnyOf(F("id"), [])).exists()
    assert set(units.filter(Q(AnyOf(F("id"), [])) | Q(pk__in=ids)).values_list("pk")) == {
        (pk,) for pk in ids
    }


def test_one_value_is_an_equality():
    # As PostgreSQL rewrites ``IN (134)``: an index on (column, other) then orders ``other``.
    unit = AdministrativeUnit.objects.order_by("id").first()
    with CaptureQueriesContext(connection) as queries:
        found = list(AdministrativeUnit.objects.filter(AnyOf(F("id"), [unit.pk])))
    assert found == [unit]
    (statement,) = queries.captured_queries
    assert "ANY(" not in statement["sql"]
    if connection.vendor == "postgresql":  # SQLite's IN list of one is planned the same
        assert f'"units_administrativeunit"."id" = {unit.pk}' in statement["sql"]
