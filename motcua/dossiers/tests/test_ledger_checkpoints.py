"""Yearly stock checkpoints and compaction of the ledger (issue 17 item 4).

A report reads the same figures with and without checkpoints, also for a period starting on
01/01 and one spanning a year end; a back-dated write keeps them equal to the deltas;
``report verify`` names a wrong one and ``report rebuild`` rewrites it; compaction folds the
rows of a key and keeps every sum.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import translation

from motcua.core.metrics import Bucket, Period
from motcua.dossiers.ledger_checkpoints import (
    checkpoint_differences,
    checkpoints_adjust,
    checkpoints_take,
    last_closed_year,
)
from motcua.dossiers.models import (
    FieldStockCheckpoint,
    LedgerCheckpointYear,
    StockCheckpoint,
)
from motcua.reports.selectors import report_for, report_recomputed, report_rows
from motcua.units.selectors import unit_at

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
SEED = Period(date(2024, 1, 1), date(2024, 5, 22))
PERIODS = [
    SEED,  # starts on 01/01: carried over is exactly the 2023 checkpoint
    Period(date(2023, 12, 15), date(2024, 6, 14)),  # the half-year across a year end
    Period(date(2024, 1, 1), date(2024, 12, 31)),
    Period(date(2024, 12, 20), date(2025, 1, 10)),
    Period(date(2025, 1, 1), date(2025, 3, 31)),  # after the scenario: stocks only
    Period(date(2026, 2, 1), date(2026, 2, 28)),  # two checkpoints before it
    Period(date(2024, 1, 1), date(2024, 1, 1)),
    Period(date(2023, 12, 31), date(2023, 12, 31)),
]


def figures(code: str) -> dict[Period, object]:
    unit = unit_at(code, SEED.end)
    found: dict[Period, object] = {}
    for period in PERIODS:
        report = report_for(unit, period)
        rows = [
            (row.label, row.totals)
            for by in ("unit", "field")
            for row in report_rows(unit, period, by)
        ]
        found[period] = (report.totals, report.measures, rows)
    return found


def test_the_closed_years_wait_a_whole_day():
    assert last_closed_year(date(2027, 1, 1)) == 2025
    assert last_closed_year(date(2027, 1, 2)) == 2026
    assert last_closed_year(date(2026, 12, 31)) == 2025


def test_reports_read_the_same_figures_with_and_without_checkpoints(bac_kan_2024):
    codes = ("058", "01840", "01837")
    without = {code: figures(code) for code in codes}
    years = checkpoints_take(TODAY)
    assert years[-1] == 2025
    assert years == list(range(years[0], 2026))
    assert StockCheckpoint.objects.filter(day=date(2023, 12, 31)).exists()
    assert FieldStockCheckpoint.objects.filter(day=date(2024, 12, 31)).exists()
    assert checkpoints_take(TODAY) == []  # taken once
    assert checkpoint_differences() == []
    for code in codes:
        assert figures(code) == without[code], code
    # The seed's figures stay exact (docs/reports.md).
    report = report_for(unit_at("058", SEED.end), SEED)
    assert (report[Bucket.RECEIVED], report[Bucket.CARRIED_OVER]) == (1608, 39)
    assert (report[Bucket.PENDING], report[Bucket.PENDING_WITHIN_TIME]) == (43, 43)
    assert report.totals == report_recomputed(unit_at("058", SEED.end), SEED).totals


def test_a_report_reads_its_stocks_from_the_checkpoint(bac_kan_2024):
    checkpoints_take(TODAY)
    unit = unit_at("058", SEED.end)
    before = report_for(unit, SEED)
    changed = StockCheckpoint.objects.filter(
        unit=unit, day=date(2023, 12, 31), figure=Bucket.PENDING.value
    ).update(n=F("n") + 1000)
    assert changed == 1
    after = report_for(unit, SEED)
    assert after[Bucket.CARRIED_OVER] == before[Bucket.CARRIED_OVER] + 1000
    assert after[Bucket.PENDING] == before[Bucket.PENDING] + 1000
    # A period starting before the checkpoint sums the deltas instead.
    earlier = Period(date(2023, 12, 15), date(2024, 6, 14))
    assert report_for(unit, earlier).totals == report_recomputed(unit, earlier).totals


def test_verify_names_a_wrong_checkpoint_and_rebuild_rewrites_it(bac_kan_2024, capsys):
    checkpoints_take(TODAY)
    unit = unit_at("058", SEED.end)
    StockCheckpoint.objects.filter(
        unit=unit, day=date(2024, 12, 31), figure=Bucket.PENDING.value
    ).update(n=7)
    differences = checkpoint_differences()
    assert [(d.unit_id, d.field_id, d.figure, d.year, d.stored) for d in differences] == [
        (unit.pk, None, "pending", 2024, 7)
    ]
    args = ["verify", "--unit", "058", "--from", "01/01/2025", "--to", "31/01/2025"]
    with translation.override("en"), pytest.raises(CommandError, match="1 checkpoints"):
        call_command("report", *args)
    out = capsys.readouterr().out
    assert "checkpoint of unit 058, field *, pending at the end of 2024: stored 7" in out
    call_command("report", "rebuild", "--unit", "058")
    assert checkpoint_differences() == []
    call_command("report", *args)
    assert LedgerCheckpointYear.objects.filter(day=date(2024, 12, 31)).exists()


def test_a_live_write_makes_no_checkpoint_query(django_assert_num_queries):
    # Live: every day in the current half-month (the rollups: test_ledger_months).
    change = {(1, 1, Bucket.PENDING, TODAY): 1, (1, 1, Bucket.RECEIVED, date(2026, 12, 1)): 1}
    with django_assert_num_queries(0):
        checkpoints_adjust(change, today=TODAY)
