"""Half-month rollups of the ledger (issue 17 item 4).

A report reads exactly the same figures with and without the rollups (periods starting
mid-month, on the 1st, spanning a year end; stocks before the period, per month trends),
also after back-dated writes into spans already rolled up; a write into the current span
makes no query; ``report verify`` names a wrong rollup and ``report rebuild`` rewrites it.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from motcua.core.metrics import FLOWS, STOCKS, Bucket, Measure, Period
from motcua.dossiers.figures import Key, ledger_add
from motcua.dossiers.ledger_checkpoints import (
    Grouping,
    _rollup_months,
    checkpoints_adjust,
    checkpoints_take,
    cover,
    last_closed_span,
    ledger_sums,
    month_differences,
    months_take,
    span_end,
)
from motcua.dossiers.models import (
    BlockFigure,
    DayFigure,
    FieldBlockFigure,
    FieldDayFigure,
    FieldMonthFigure,
    FieldStockCheckpoint,
    LedgerMonth,
    MonthFigure,
    StockCheckpoint,
)
from motcua.reports.selectors import report_for, report_months, report_rows
from motcua.units.selectors import unit_at

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
SEED = Period(date(2024, 1, 1), date(2024, 5, 22))
PERIODS = [
    SEED,
    Period(date(2024, 2, 1), date(2024, 4, 30)),  # whole months only
    Period(date(2024, 1, 15), date(2024, 7, 14)),  # mid-month to mid-month
    Period(date(2023, 12, 15), date(2024, 6, 14)),  # across a year end
    Period(date(2024, 7, 1), date(2024, 12, 31)),  # stocks from months before it
    Period(date(2024, 12, 20), date(2025, 1, 10)),
    Period(date(2025, 3, 10), date(2025, 3, 20)),  # inside one month
    Period(date(2025, 5, 1), date(2026, 11, 30)),  # up to the last month taken
    Period(date(2026, 11, 5), date(2026, 12, 3)),  # into months not taken
    Period(date(2024, 1, 1), date(2024, 1, 1)),
    Period(date(2023, 12, 15), date(2026, 2, 14)),  # whole years, quarters and months
]
CODES = ("058", "01840", "01837")
DAYS, SPANS, BLOCKS = "dossiers_dayfigure", "dossiers_monthfigure", "dossiers_blockfigure"


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def month_periods(first: date, last: date) -> list[Period]:
    found, start = [], first
    while start <= last:
        end = min(month_end(start), last)
        found.append(Period(start, end))
        start = end + timedelta(days=1)
    return found


def span_starts(first: date, last: date) -> list[date]:
    found, start = [], first
    while start <= last:
        found.append(start)
        start = span_end(start) + timedelta(days=1)
    return found


def figures() -> dict[object, object]:
    found: dict[object, object] = {}
    for code in CODES:
        unit = unit_at(code, SEED.end)
        for period in PERIODS:
            report = report_for(unit, period)
            rows = [
                (row.label, row.totals)
                for by in ("unit", "field")
                for row in report_rows(unit, period, by)
            ]
            trend = report_months(unit, month_periods(period.start, period.end))
            found[code, period] = (
                report.totals,
                report.measures,
                rows,
                [(r.totals, r.measures) for r in trend],
            )
    return found


def sums(unit_ids: list[int]) -> dict[object, object]:
    return {
        # A zero sum may come back or not (a zero rollup or checkpoint has no row).
        (period, by, monthly): sorted(
            (
                found
                for found in ledger_sums(unit_ids, period.start, period.end, by=by, monthly=monthly)
                if found.n
            ),
            key=repr,
        )
        for period in PERIODS
        for by in Grouping
        for monthly in (False, True)
    }


def without_rollups() -> None:
    LedgerMonth.objects.all().delete()


def ledger_units() -> list[int]:
    return sorted({unit for unit, _ in FieldDayFigure.objects.values_list("unit_id", "field_id")})


def assert_the_same_without_rollups(ids: list[int]) -> None:
    """Every figure and sum read with the rollups is read again without them."""
    with_rollups, rolled = figures(), sums(ids)
    without_rollups()
    assert figures() == with_rollups
    assert sums(ids) == rolled


def back_dated_writes(seed: int, count: int) -> Counter[Key]:
    """Random-ish changes on the units and fields the ledger holds, on days from 2023 to the
    month before ``TODAY``, through the write path (``figures.ledger_add``)."""
    rng = random.Random(seed)
    pairs = sorted(set(FieldDayFigure.objects.values_list("unit_id", "field_id")))
    figures_ = [*FLOWS, *STOCKS, *Measure]
    change: Counter[Key] = Counter()
    for _ in range(count):
        unit, field = rng.choice(pairs)
        day = date(2023, 1, 1) + timedelta(
            days=rng.randrange((date(2026, 11, 30) - date(2023, 1, 1)).days)
        )
        change[unit, field, rng.choice(figures_), day] += rng.choice((-2, -1, 1, 3))
    ledger_add(change)
    return change


def test_the_closed_spans_wait_a_whole_day():
    # 15/02–28/02 ends as 01/03 begins: closed from 02/03 on.
    assert last_closed_span(date(2027, 3, 1)) == date(2027, 2, 1)
    assert last_closed_span(date(2027, 3, 2)) == date(2027, 2, 15)
    assert last_closed_span(date(2027, 3, 15)) == date(2027, 2, 15)
    assert last_closed_span(date(2027, 3, 16)) == date(2027, 3, 1)
    assert last_closed_span(date(2027, 1, 2)) == date(2026, 12, 15)
    assert last_closed_span(date(2027, 1, 1)) == date(2026, 12, 1)
    assert span_end(date(2024, 2, 15)) == date(2024, 2, 29)
    assert span_end(date(2024, 2, 14)) == date(2024, 2, 14)


@pytest.mark.parametrize(
    ("lo", "hi", "through", "monthly", "blocks", "spans"),
    [
        # A calendar half-year: two quarters.
        (date(2026, 1, 1), date(2026, 6, 30), date(2026, 11, 30), False, [202621, 202622], []),
        # Decree 09/2019's half-year: a span, a quarter, two months, a span.
        (
            date(2025, 12, 15), date(2026, 6, 14), date(2026, 11, 30), False,
            [202621, 202604, 202605], [date(2025, 12, 15), date(2026, 6, 1)],
        ),
        # Years between months (November and December are not the fourth quarter).
        (
            date(2023, 11, 1), date(2026, 2, 28), date(2026, 11, 30), False,
            [202311, 202312, 202400, 202500, 202601, 202602], [],
        ),
        # No block past the last one taken: spans from there.
        (
            date(2026, 1, 1), date(2026, 6, 30), date(2026, 3, 31), False,
            [202621], [date(2026, m, d) for m in (4, 5, 6) for d in (1, 15)],
        ),
        # None taken: every span.
        (
            date(2026, 1, 1), date(2026, 1, 31), None, False,
            [], [date(2026, 1, 1), date(2026, 1, 15)],
        ),
        # Read per month: months only.
        (
            date(2025, 12, 15), date(2026, 3, 31), date(2026, 11, 30), True,
            [202601, 202602, 202603], [date(2025, 12, 15)],
        ),
    ],
)  # fmt: skip
def test_a_range_of_spans_is_the_fewest_blocks(lo, hi, through, monthly, blocks, spans):
    assert cover(lo, hi, through, monthly=monthly) == (blocks, spans)


def test_reports_read_the_same_figures_with_and_without_rollups(bac_kan_2024):
    ids = [unit_at(code, SEED.end).pk for code in CODES]
    without, raw = figures(), sums(ids)
    months = months_take(TODAY)
    assert months[-1] == date(2026, 11, 15)
    assert months == span_starts(months[0], months[-1])
    assert date(2024, 3, 15) in months
    assert months_take(TODAY) == []  # taken once
    assert MonthFigure.objects.filter(month=date(2024, 3, 1)).exists()
    assert FieldMonthFigure.objects.filter(month=date(2024, 3, 1)).exists()
    assert month_differences() == []
    checkpoints_take(TODAY)  # with the yearly checkpoints too
    assert figures() == without
    assert sums(ids) == raw
    report = report_for(unit_at("058", SEED.end), SEED)
    assert (report[Bucket.RECEIVED], report[Bucket.CARRIED_OVER]) == (1608, 39)
    assert (report[Bucket.PENDING], report[Bucket.PENDING_WITHIN_TIME]) == (43, 43)


def test_back_dated_writes_keep_the_rollups_exact(bac_kan_2024):
    months_take(TODAY)
    checkpoints_take(TODAY)
    ids = ledger_units()
    back_dated_writes(seed=17, count=400)
    assert month_differences() == []
    assert_the_same_without_rollups(ids)


def test_calendar_months_an_older_release_took_still_count(bac_kan_2024):
    """Between dossiers migration 0029 and the workers' restart, an older release may take
    calendar months again: they are read, adjusted and verified as the spans they are, and
    the half-months follow them."""
    ids = ledger_units()
    without, raw = figures(), sums(ids)
    first = min(DayFigure.objects.values_list("day", flat=True)).replace(day=1)
    calendar = [period.start for period in month_periods(first, date(2026, 10, 31))]
    LedgerMonth.objects.bulk_create(
        LedgerMonth(month=month, last_day=month_end(month), taken_at=timezone.now())
        for month in calendar
    )
    _rollup_months(first, date(2026, 10, 31), None)
    assert months_take(TODAY) == [date(2026, 11, 1), date(2026, 11, 15)]
    assert month_differences() == []
    assert figures() == without
    assert sums(ids) == raw
    back_dated_writes(seed=5, count=200)
    assert month_differences() == []
    assert_the_same_without_rollups(ids)


def test_the_blocks_follow_spans_taken_without_them(bac_kan_2024):
    """Spans a release before dossiers 0037 took have no blocks: reads use the spans until
    the next take adds the blocks, the months, quarters and years they complete."""
    ids = ledger_units()
    months_take(TODAY)
    with_blocks, rolled = figures(), sums(ids)
    LedgerMonth.objects.update(blocks=False)
    BlockFigure.objects.all().delete()
    FieldBlockFigure.objects.all().delete()
    assert figures() == with_blocks
    assert months_take(TODAY) == []  # no span to take, but their blocks
    assert set(LedgerMonth.objects.values_list("blocks", flat=True)) == {True}
    assert BlockFigure.objects.filter(block__in=(202400, 202522, 202610)).exists()
    assert month_differences() == []
    assert sums(ids) == rolled


def test_a_report_reads_the_rollups(bac_kan_2024):
    months_take(TODAY)
    unit = unit_at("058", SEED.end)
    whole = Period(date(2024, 2, 1), date(2024, 3, 31))
    # A Decree 09/2019 reporting period (the 15th to the 14th) is whole spans too: here a
    # span, the block of February and a span.
    reporting = Period(date(2024, 1, 15), date(2024, 3, 14))
    before, before_reporting = report_for(unit, whole), report_for(unit, reporting)
    received = {"unit": unit, "figure": Bucket.RECEIVED.value}
    assert MonthFigure.objects.filter(**received, month=date(2024, 3, 1)).update(n=1000) == 1
    assert report_for(unit, reporting)[Bucket.RECEIVED] != before_reporting[Bucket.RECEIVED]
    # The calendar months are read from their blocks, not their spans.
    assert report_for(unit, whole)[Bucket.RECEIVED] == before[Bucket.RECEIVED]
    assert BlockFigure.objects.filter(**received, block=202403).update(n=1000) == 1
    assert report_for(unit, whole)[Bucket.RECEIVED] != before[Bucket.RECEIVED]
    # A period that cuts March's first half reads its days instead.
    cut = Period(date(2024, 2, 1), date(2024, 3, 13))
    without = report_for(unit, cut)
    without_rollups()
    assert report_for(unit, cut).totals == without.totals


def test_a_write_into_this_month_makes_no_query(django_assert_num_queries):
    change = {
        (1, 1, Bucket.RECEIVED, date(2026, 12, 1)): 1,
        (1, 1, Bucket.PENDING, TODAY): 1,
    }
    with django_assert_num_queries(0):
        checkpoints_adjust(change, today=TODAY)


def test_a_write_into_a_past_month_adjusts_its_rollup(bac_kan_2024):
    months_take(TODAY)
    unit, field = FieldDayFigure.objects.values_list("unit_id", "field_id").first()
    key = dict(unit_id=unit, figure=Bucket.RECEIVED.value, month=date(2025, 6, 15))
    before = MonthFigure.objects.filter(**key).values_list("n", flat=True).first() or 0
    ledger_add(Counter({(unit, field, Bucket.RECEIVED, date(2025, 6, 17)): 5}))
    assert MonthFigure.objects.get(**key).n == before + 5
    assert month_differences() == []


def test_verify_names_a_wrong_rollup_and_rebuild_rewrites_it(bac_kan_2024, capsys):
    months_take(TODAY)
    unit = unit_at("058", SEED.end)
    MonthFigure.objects.filter(
        unit=unit, month=date(2024, 3, 1), figure=Bucket.RECEIVED.value
    ).update(n=7)
    differences = month_differences()
    assert [(d.unit_id, d.field_id, d.figure, d.month, d.stored) for d in differences] == [
        (unit.pk, None, "received", date(2024, 3, 1), 7)
    ]
    args = ["verify", "--unit", "058", "--from", "01/01/2025", "--to", "31/01/2025"]
    with translation.override("en"), pytest.raises(CommandError, match="1 rollups"):
        call_command("report", *args)
    out = capsys.readouterr().out
    assert "rollup of unit 058, field *, received for 01/03/2024–14/03/2024: stored 7" in out
    call_command("report", "rebuild", "--unit", "058")
    assert month_differences() == []
    call_command("report", *args)


def test_verify_names_a_wrong_block_by_its_days(bac_kan_2024, capsys):
    months_take(TODAY)
    unit = unit_at("058", SEED.end)
    received = {"unit": unit, "figure": Bucket.RECEIVED.value}
    right = BlockFigure.objects.get(**received, block=202422).n
    BlockFigure.objects.filter(**received, block=202422).update(n=right + 3)
    assert [
        (d.unit_id, d.figure, d.month, d.last_day, d.block, d.stored, d.expected)
        for d in month_differences()
    ] == [(unit.pk, "received", date(2024, 4, 1), date(2024, 6, 30), 202422, right + 3, right)]
    args = ["verify", "--unit", "058", "--from", "01/01/2025", "--to", "31/01/2025"]
    with translation.override("en"), pytest.raises(CommandError, match="1 rollups"):
        call_command("report", *args)
    assert "received for 01/04/2024–30/06/2024: stored" in capsys.readouterr().out
    call_command("report", "rebuild", "--unit", "058")
    assert month_differences() == []
    assert BlockFigure.objects.get(**received, block=202422).n == right


@pytest.mark.parametrize(
    ("first", "last", "tables", "branches"),
    [
        # A calendar half-year: two quarters.
        (date(2024, 1, 1), date(2024, 6, 30), {BLOCKS}, 1),
        # A Decree 09/2019 period: whole spans, no day row read; the spans at its ends, and
        # the month between them.
        (date(2024, 1, 15), date(2024, 3, 14), {SPANS, BLOCKS}, 2),
        # Inside one span: its days alone, no rollup read.
        (date(2024, 3, 2), date(2024, 3, 9), {DAYS}, 1),
        # Cut at both ends: days, spans, blocks, days.
        (date(2024, 1, 10), date(2024, 3, 20), {DAYS, SPANS, BLOCKS}, 4),
    ],
)
def test_the_sums_read_only_the_pieces_that_hold_a_day(bac_kan_2024, first, last, tables, branches):
    """The sums' statement has one branch per piece of the period that holds a day (the
    spans taken are read first): no branch for an empty piece, which PostgreSQL planned
    anyway. The receipts alone: no stock before the period."""
    months_take(TODAY)
    ids = sorted(DayFigure.objects.values_list("unit_id", flat=True).distinct())
    with CaptureQueriesContext(connection) as read:
        found = ledger_sums(ids, first, last, figures=[Bucket.RECEIVED.value])
    taken, sums = (query["sql"] for query in read.captured_queries)
    assert "dossiers_ledgermonth" in taken
    assert len(sums.split(" UNION ALL ")) == branches
    read_from = {t for t in (DAYS, SPANS, BLOCKS) if f'"{t}"' in sums}
    assert read_from == tables
    assert found  # not an empty comparison


@pytest.mark.postgres_only
def test_autovacuum_keeps_every_rollup_table_readable_from_its_indexes_after_a_take():
    """Every table the night's take writes is vacuumed and analyzed by autovacuum after any
    100 new rows, not a fifth of the table (dossiers 0039): only then are the rows read from
    their covering indexes alone. A rollup table added without the settings fails here."""
    rollups = (MonthFigure, FieldMonthFigure, BlockFigure, FieldBlockFigure)
    tables = [m._meta.db_table for m in (*rollups, StockCheckpoint, FieldStockCheckpoint)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [tables])
        options = {name: set(found or ()) for name, found in cursor.fetchall()}
    wanted = {
        "autovacuum_vacuum_insert_threshold=100",
        "autovacuum_vacuum_insert_scale_factor=0",
        "autovacuum_analyze_threshold=100",
        "autovacuum_analyze_scale_factor=0",
    }
    assert options == dict.fromkeys(tables, wanted)
