"""What the ledger's reads find rolled up already is kept by the process for
``MOTCUA_LEDGER_TAKEN_SECONDS`` (``ledger_checkpoints._taken_recent``, issue 17): a read of
the same period then needs no statement for it, and an answer kept from before a rollup was
taken sums the same as a fresh one (it only leaves the new rollup unused). The other tests
run with the setting at 0 (test_settings.py): a flush between transactional tests removes
the rollups, which production never does."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.ledger_checkpoints import _taken_by_process, ledger_sums, months_take
from motcua.dossiers.models import DayFigure, LedgerMonth
from motcua.units.models import AdministrativeUnit

FIRST, LAST = date(2026, 9, 1), date(2026, 11, 30)


@pytest.fixture
def ward(transactional_db, settings):
    settings.MOTCUA_LEDGER_TAKEN_SECONDS = 3600
    _taken_by_process.clear()
    unit = AdministrativeUnit.objects.create(code="01840", name="Phường Đức Xuân", kind="ward")
    for day in (date(2026, 8, 20), date(2026, 9, 3), date(2026, 10, 7), date(2026, 11, 20)):
        DayFigure.objects.create(unit=unit, figure="received", day=day, n=5)
        DayFigure.objects.create(unit=unit, figure="pending", day=day, n=2)
    yield unit
    _taken_by_process.clear()


def summed(unit: AdministrativeUnit) -> list[str]:
    return sorted(repr(found) for found in ledger_sums([unit.pk], FIRST, LAST) if found.n)


def test_a_period_read_again_needs_only_its_sums(ward):
    first = summed(ward)
    with CaptureQueriesContext(connection) as again:
        assert summed(ward) == first
    assert len(again.captured_queries) == 1
    # Inside a transaction its own writes count: read every time.
    with transaction.atomic(), CaptureQueriesContext(connection) as inside:
        assert summed(ward) == first
    assert len(inside.captured_queries) == 2


def test_an_answer_kept_from_before_a_rollup_sums_the_same(ward):
    before = summed(ward)
    assert months_take(date(2026, 12, 3))
    assert LedgerMonth.objects.exists()
    with CaptureQueriesContext(connection) as kept:
        stale = summed(ward)
    assert "dossiers_monthfigure" not in kept.captured_queries[-1]["sql"]
    _taken_by_process.clear()
    with CaptureQueriesContext(connection) as fresh_read:
        fresh = summed(ward)
    assert "dossiers_monthfigure" in fresh_read.captured_queries[-1]["sql"]
    assert stale == fresh == before
    assert before == [
        "LedgerSum(group=None, figure='pending', part=0, n=6)",
        "LedgerSum(group=None, figure='pending', part=None, n=2)",
        "LedgerSum(group=None, figure='received', part=0, n=15)",
    ]
