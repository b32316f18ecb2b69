"""The tree held in memory (units.tree): current after any write, whoever made it, and read
from the database once per request outside a transaction."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.units.choices import SuccessionKind, UnitKind
from motcua.units.models import AdministrativeUnit, Succession, TreeVersion
from motcua.units.selectors import lineage_ids, unit_coverers, unit_lineage
from motcua.units.tree import unit_tree

MERGED = date(2025, 7, 1)


def _tree() -> dict[str, AdministrativeUnit]:
    """A province with two communes, one merged into the other, and a village."""
    province = AdministrativeUnit.objects.create(code="T1", name="Tỉnh Một", kind=UnitKind.PROVINCE)
    kept = AdministrativeUnit.objects.create(
        code="X1", name="Xã Một", kind=UnitKind.COMMUNE, parent=province
    )
    merged = AdministrativeUnit.objects.create(
        code="X2", name="Xã Hai", kind=UnitKind.COMMUNE, parent=province, valid_to=date(2025, 6, 30)
    )
    village = AdministrativeUnit.objects.create(
        code="X2-T1", name="Thôn Một", kind=UnitKind.VILLAGE, parent=merged
    )
    Succession.objects.create(
        predecessor=merged, successor=kept, kind=SuccessionKind.MERGER, effective_date=MERGED
    )
    return {"province": province, "kept": kept, "merged": merged, "village": village}


def _ids(*units: AdministrativeUnit) -> list[int]:
    return sorted(unit.pk for unit in units)


@pytest.mark.django_db
def test_the_walks_follow_children_and_successions_both_ways():
    t = _tree()
    assert lineage_ids(t["kept"]) == _ids(t["kept"], t["merged"], t["village"])
    assert lineage_ids(t["province"]) == _ids(*t.values())
    assert set(unit_coverers(t["village"])) == {t["village"], t["merged"], t["kept"], t["province"]}
    assert unit_tree().members(t["kept"].pk) == {t["merged"].pk: {t["merged"].pk, t["village"].pk}}


@pytest.mark.django_db
def test_a_write_that_sends_no_signal_still_shows_at_the_next_walk():
    # A bulk update and SQL by hand: the database's triggers change the token (migration 0002).
    t = _tree()
    assert t["village"].pk in lineage_ids(t["kept"])
    AdministrativeUnit.objects.filter(pk=t["village"].pk).update(parent=t["province"])
    assert t["village"].pk not in lineage_ids(t["kept"])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Succession._meta.db_table}")
    assert lineage_ids(t["kept"]) == _ids(t["kept"])
    assert list(unit_lineage(t["kept"])) == [t["kept"]]


@pytest.mark.django_db
def test_a_cycle_in_bad_data_ends_the_walk():
    t = _tree()
    # kept -> merged was recorded; merged -> kept too would loop a walk that did not stop.
    Succession.objects.bulk_create(
        [
            Succession(
                predecessor=t["kept"],
                successor=t["merged"],
                kind=SuccessionKind.MERGER,
                effective_date=MERGED,
            )
        ]
    )
    assert lineage_ids(t["kept"]) == lineage_ids(t["merged"])


@pytest.mark.django_db
def test_the_units_handed_out_are_copies():
    t = _tree()
    unit = unit_tree().unit(t["kept"].pk)
    assert unit == t["kept"]
    unit.name = "Đổi tên"
    assert unit_tree().unit(t["kept"].pk).name == "Xã Một"


@pytest.mark.django_db(transaction=True)
def test_a_request_reads_the_token_once_and_the_next_request_again():
    t = _tree()
    request_started.send(sender=None)
    try:
        with CaptureQueriesContext(connection) as first:
            lineage_ids(t["kept"])
        with CaptureQueriesContext(connection) as second:
            lineage_ids(t["kept"])
            lineage_ids(t["province"])
        assert any("units_treeversion" in q["sql"] for q in first.captured_queries)
        assert second.captured_queries == []
        # Inside a transaction the token is read at every walk: its own writes count.
        with transaction.atomic(), CaptureQueriesContext(connection) as inside:
            lineage_ids(t["kept"])
        assert len(inside.captured_queries) == 1
        # A unit saved in this request: the next walk reads the token again.
        AdministrativeUnit.objects.create(
            code="X1-T1", name="Thôn Hai", kind=UnitKind.VILLAGE, parent=t["kept"]
        )
        assert len(lineage_ids(t["kept"])) == 4
        # Another process's write (no signal here): seen in the next request.
        AdministrativeUnit.objects.filter(code="X1-T1").update(parent=t["province"])
        assert len(lineage_ids(t["kept"])) == 4  # trusted for the rest of this request
    finally:
        request_finished.send(sender=None)
    request_started.send(sender=None)
    try:
        assert len(lineage_ids(t["kept"])) == 3
    finally:
        request_finished.send(sender=None)


@pytest.mark.django_db(transaction=True)
def test_a_tree_read_in_a_transaction_rolled_back_is_not_kept():
    t = _tree()
    before = TreeVersion.objects.get(pk=1).token

    with transaction.atomic():
        AdministrativeUnit.objects.filter(pk=t["village"].pk).update(parent=t["province"])
        assert t["village"].pk not in lineage_ids(t["kept"])
        transaction.set_rollback(True)
    assert TreeVersion.objects.get(pk=1).token == before
    assert lineage_ids(t["kept"]) == _ids(t["kept"], t["merged"], t["village"])
    assert lineage_ids(t["merged"]) == _ids(t["merged"], t["village"])
