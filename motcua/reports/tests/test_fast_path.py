"""The ledger path and the dossiers path agree on the Bắc Kạn scenario, period after period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from motcua.core.metrics import Bucket, Period
from motcua.core.periods import named_period
from motcua.dossiers.figures import ledger_differences
from motcua.reports.selectors import report_for, report_recomputed, report_rows
from motcua.units.selectors import unit_at

pytestmark = pytest.mark.django_db

SEED = Period(date(2024, 1, 1), date(2024, 5, 22))


def test_the_ledger_holds_exactly_what_the_dossiers_count(bac_kan_2024):
    assert ledger_differences() == {}


def periods():
    yield SEED
    for kind, number in (("month", 1), ("month", 3), ("quarter", 2), ("half", 1), ("year", 1)):
        yield named_period(kind, 2024, number)
    day = date(2023, 12, 20)
    while day < date(2024, 6, 10):  # single days across Tết and the end of the scenario
        yield Period(day, day)
        day += timedelta(days=9)


@pytest.mark.parametrize("code", ["058", "01840", "01837"])
def test_every_figure_agrees_for_city_and_wards(bac_kan_2024, code):
    unit = unit_at(code, SEED.end)
    for period in periods():
        fast, slow = report_for(unit, period), report_recomputed(unit, period)
        assert (fast.totals, fast.measures) == (slow.totals, slow.measures), period


def test_the_seed_figures_come_from_the_ledger(bac_kan_2024, django_assert_max_num_queries):
    unit = unit_at("058", SEED.end)
    with django_assert_max_num_queries(6):  # lineage, what was summed, ledger sums, catalogue
        report = report_for(unit, SEED)
    assert (report[Bucket.RECEIVED], report[Bucket.RECEIVED_ONLINE]) == (1608, 1342)
    assert (report[Bucket.RESOLVED], report[Bucket.RESOLVED_LATE]) == (1604, 5)
    assert (report[Bucket.PENDING], report[Bucket.PENDING_WITHIN_TIME]) == (43, 43)
    assert report[Bucket.CARRIED_OVER] == 39


@pytest.mark.parametrize("by", ["unit", "field"])
def test_rows_add_up_to_the_report(bac_kan_2024, by):
    unit = unit_at("058", SEED.end)
    rows = report_rows(unit, SEED, by)
    report = report_for(unit, SEED)
    assert len(rows) > 1
    for bucket in Bucket:
        assert sum(row[bucket] for row in rows) == report[bucket], (by, bucket)


def test_the_write_path_reads_the_same_facts_as_the_reports(bac_kan_2024):
    from motcua.dossiers.selectors import dossier_facts_now, dossiers_with_facts

    everything = list(dossiers_with_facts())
    assert len(everything) > 1600
    for counted, facts in everything:
        assert dossier_facts_now(counted.pk) == (counted, facts), counted.code
