"""The dashboard's units side by side and monthly trend: one grouped query over the ledger each.

``unit_rows`` reads one ledger query grouped by receiving unit (each member's lineage mapped in
Python from one query), ``monthly_trend`` one grouped by month. Their queries do not grow with
the member units that have data (2 or 6 wards) nor with the months (1 or 12), and their numbers
are those of one ``report_for`` per member or per month (the reference). Both engines.

Data: the small world of the dossier tests (``dossiers/tests/world.py``), per test, with more
wards (and one merged into a ward) added here.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts.choices import Role
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.core import workflow
from motcua.core.metrics import Bucket, Period
from motcua.dossiers.ledger_checkpoints import (
    Grouping,
    checkpoints_take,
    ledger_sums,
    months_take,
)
from motcua.dossiers.tests.world import World, build_world
from motcua.reports.dashboard import (
    OWN_DESK,
    TREND_BUCKETS,
    monthly_trend,
    months_of,
    unit_rows,
)
from motcua.reports.selectors import (
    Report,
    Row,
    report_for,
    report_months,
    report_rows,
    report_with_rows,
)
from motcua.reports.tests.in_request import outside_then_inside_a_request
from motcua.units.choices import SuccessionKind
from motcua.units.models import AdministrativeUnit, Agency, Succession
from motcua.units.tree import unit_tree

pytestmark = pytest.mark.django_db

YEAR = Period(date(2024, 1, 1), date(2024, 12, 31))


def ward(world: World, number: int, parent: AdministrativeUnit | None = None):
    """A ward below the city (or merged into ``parent``'s place) with a desk and a clerk."""
    code = f"0190{number}"
    unit = AdministrativeUnit.objects.create(
        code=code, name=f"Phường {number}", kind="ward", parent=parent or world.city
    )
    desk = Agency.objects.create(
        code=f"BPMC-{code}",
        name=f"Bộ phận Một cửa phường {number}",
        kind="one_stop",
        unit=unit,
        electronic_code=f"000.{number:02d}.59.H06",
    )
    clerk = user_create_or_update(username=f"clerk{number}", full_name=f"Clerk {number}")
    role_grant(user=clerk, role=Role.CLERK, unit=unit, agency=desk)
    return unit, desk, clerk


def dossiers(world: World, desk: Agency, clerk, months: range) -> None:
    """One dossier a month received by ``desk``; every other one resolved the next month."""
    for month in months:
        dossier = world.create(at=f"10/{month:02d}/2024 08:00", receiving_agency=desk, actor=clerk)
        world.take(dossier, workflow.Action.TRANSFER, f"10/{month:02d}/2024 09:00", actor=clerk)
        if month % 2 and month < 12:
            world.take(
                dossier,
                workflow.Action.APPROVE,
                f"12/{month + 1:02d}/2024 10:00",
                actor=world.officer,
            )


def became(
    unit: AdministrativeUnit, *successors: AdministrativeUnit, kind=SuccessionKind.MERGER
) -> None:
    """``unit`` merged into (or split between) ``successors`` on 01/07/2024: no longer below
    the city."""
    for successor in successors:
        Succession.objects.create(
            predecessor=unit, successor=successor, kind=kind, effective_date=date(2024, 7, 1)
        )
    unit.parent = None
    unit.save()


def sql_of(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


def test_the_units_side_by_side_cost_the_same_for_two_or_six_wards_with_data():
    world = build_world()
    extra = [ward(world, number) for number in range(1, 5)]
    dossiers(world, world.city_desk, world.clerk, range(1, 4))
    dossiers(world, world.ward_desk, world.ward_clerk, range(1, 4))
    dossiers(world, world.other_desk, world.other_clerk, range(2, 5))
    unit_tree()  # the wards just added: the tree read once, before either count
    small = sql_of(lambda: unit_rows(world.city, YEAR))
    for _, desk, clerk in extra:
        dossiers(world, desk, clerk, range(3, 7))
    rows = unit_rows(world.city, YEAR)
    large = sql_of(lambda: unit_rows(world.city, YEAR))
    assert len(small) == len(large), "\n".join(large)
    assert len(large) <= 5  # the tree's token at each walk (in a test's transaction), the ledger
    # The numbers of one report per member.
    assert rows[0].part == OWN_DESK
    assert len(rows) == 7
    members = {unit.code: unit for unit in AdministrativeUnit.objects.filter(parent=world.city)}
    for row in rows[1:]:
        assert row.totals == report_for(members[row.part], YEAR).totals, row.label
    own = report_for(world.city, YEAR).totals
    for bucket, n in own.items():
        assert sum(row.totals[bucket] for row in rows) == n, bucket


def test_a_merged_unit_counts_in_its_successors_row():
    world = build_world()
    old, desk, clerk = ward(world, 7)
    became(old, world.ward)
    dossiers(world, desk, clerk, range(1, 5))
    dossiers(world, world.ward_desk, world.ward_clerk, range(2, 4))
    rows = {row.part: row.totals for row in unit_rows(world.city, YEAR)}
    assert rows[world.ward.code] == report_for(world.ward, YEAR).totals
    assert rows[world.ward.code][Bucket.RECEIVED] == 6  # its own 2 and the merged unit's 4
    assert old.code not in rows


def test_the_dashboard_reads_its_report_and_its_rows_in_one_ledger_query():
    """``report_with_rows`` gives ``report_for`` and the rows by unit from one ledger query,
    with a merged ward and a ward split between two wards (counted in both rows, once in the
    total)."""
    world = build_world()
    old, desk, clerk = ward(world, 7)
    became(old, world.ward)
    split, split_desk, split_clerk = ward(world, 8)
    other, _, _ = ward(world, 9)
    became(split, world.ward, other, kind=SuccessionKind.SPLIT)
    dossiers(world, desk, clerk, range(1, 5))
    dossiers(world, split_desk, split_clerk, range(3, 6))
    dossiers(world, world.ward_desk, world.ward_clerk, range(2, 4))
    dossiers(world, world.city_desk, world.clerk, range(1, 13))
    city = AdministrativeUnit.objects.get(pk=world.city.pk)
    captured: list[tuple[Report, list[Row]]] = []
    sql = sql_of(lambda: captured.append(report_with_rows(city, YEAR)))
    report, rows = captured[0]
    assert sum("dossiers_dayfigure" in statement for statement in sql) == 1, "\n".join(sql)
    reference = report_for(world.city, YEAR)
    assert (report.totals, report.measures, report.coverage) == (
        reference.totals,
        reference.measures,
        reference.coverage,
    )
    assert rows == report_rows(world.city, YEAR, "unit")
    by_code = {row.unit.code: row.totals for row in rows[1:]}
    assert by_code[world.ward.code][Bucket.RECEIVED] == 2 + 4 + 3  # its own, merged, split
    assert by_code[other.code][Bucket.RECEIVED] == 3  # the split ward's, in both rows
    assert report.totals[Bucket.RECEIVED] == 12 + 2 + 4 + 3  # and once in the total


def test_the_trend_costs_the_same_for_one_or_twelve_months():
    world = build_world()
    dossiers(world, world.city_desk, world.clerk, range(1, 13))
    dossiers(world, world.ward_desk, world.ward_clerk, range(1, 13, 3))
    # Each from a unit read afresh, the tree in memory read before (units.tree): in a test's
    # transaction, each walk of it reads its token again, and each call must pay for that.
    first, second = (AdministrativeUnit.objects.get(pk=world.city.pk) for _ in range(2))
    unit_tree()
    one = sql_of(lambda: monthly_trend(first, Period(date(2024, 3, 1), date(2024, 3, 31))))
    twelve = sql_of(lambda: monthly_trend(second, YEAR))
    assert len(one) == len(twelve), "\n".join(twelve)
    assert len(twelve) <= 3  # the tree's token, the ledger
    for period in (YEAR, Period(date(2024, 2, 14), date(2024, 11, 3))):
        trend = monthly_trend(world.city, period)
        every = report_months(world.city, months_of(period))
        assert [month.period for month in trend] == months_of(period)
        for month, whole in zip(trend, every, strict=True):
            reference = report_for(world.city, month.period)
            # The trend reads only what it shows; the whole report month by month, everything.
            assert month.totals == {b: reference.totals[b] for b in TREND_BUCKETS}
            assert (whole.totals, whole.measures) == (reference.totals, reference.measures)
    assert sum(m[Bucket.RECEIVED] for m in monthly_trend(world.city, YEAR)) == 12 + 4
    # Stocks too: read from the stocks they come from, as the running sum month by month.
    stocks = [Bucket.PENDING, Bucket.CARRIED_OVER, Bucket.PENDING_WITHIN_TIME, Bucket.RESOLVED]
    for month in report_months(world.city, months_of(YEAR), stocks):
        reference = report_for(world.city, month.period)
        assert month.totals == {b: reference.totals[b] for b in stocks}
    assert any(month[Bucket.CARRIED_OVER] for month in report_months(world.city, months_of(YEAR)))


def test_a_month_is_its_own_trend():
    """Given the report of a period within one month (the dashboard's this month), the trend
    is read from it, not from the ledger again: the same months and numbers. Of a longer
    period, or of another unit, the report is not used."""
    world = build_world()
    dossiers(world, world.city_desk, world.clerk, range(1, 13))
    dossiers(world, world.ward_desk, world.ward_clerk, range(1, 13, 3))
    for month in (
        Period(date(2024, 4, 1), date(2024, 4, 30)),
        Period(date(2024, 7, 3), date(2024, 7, 19)),
    ):
        report = report_for(world.city, month)
        with CaptureQueriesContext(connection) as read:
            given = monthly_trend(world.city, month, report)
        assert len(read.captured_queries) == 0
        read_again = monthly_trend(world.city, month)
        assert [(m.period, m.totals) for m in given] == [(m.period, m.totals) for m in read_again]
        assert given[0][Bucket.RECEIVED] == report[Bucket.RECEIVED] > 0
    other = report_for(world.ward, YEAR)
    assert len(sql_of(lambda: monthly_trend(world.city, YEAR, report_for(world.city, YEAR)))) > 0
    assert [m.period for m in monthly_trend(world.city, YEAR, other)] == months_of(YEAR)


@pytest.mark.django_db(transaction=True)
def test_the_rows_of_every_unit_are_read_without_a_condition_on_the_unit():
    """In a request whose tree names every unit (a province's dashboard), the sums by unit
    read every row and keep those of the units asked for: the same rows as the condition in
    SQL gives, outside a request. Asked for some units only, the condition stays."""
    world = build_world()
    dossiers(world, world.city_desk, world.clerk, range(1, 13))
    dossiers(world, world.ward_desk, world.ward_clerk, range(1, 13, 3))
    every = sorted(AdministrativeUnit.objects.values_list("pk", flat=True))
    some = [world.ward.pk]

    def by_unit(ids: list[int]) -> tuple[str, list[object]]:
        # The sums are the last statement (what was summed is asked once a request).
        with CaptureQueriesContext(connection) as read:
            found = ledger_sums(ids, YEAR.start, YEAR.end, by=Grouping.UNIT)
        return read.captured_queries[-1]["sql"], sorted(found)

    (filtered, some_filtered), ((sums, rows), (some_sums, some_rows)) = (
        outside_then_inside_a_request(lambda: (by_unit(every), by_unit(some)))
    )
    assert '"unit_id" IN' not in sums
    assert '"unit_id" IN' in some_sums
    assert rows == filtered[1]
    assert some_rows == some_filtered[1]
    assert {row.group for row in rows} == {world.city.pk, world.ward.pk}
    assert {row.group for row in some_rows} == {world.ward.pk}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("by", "monthly"),
    [(Grouping.NONE, False), (Grouping.NONE, True), (Grouping.FIELD, False)],
)
def test_every_unit_summed_together_is_read_without_a_condition_on_the_unit(by, monthly):
    """A province's figures and trend (summed, or by month) and its rows by field: in a
    request whose tree names every unit, the ledger is read with no condition on the unit
    and gives the same sums as the condition in SQL does outside a request."""
    world = build_world()
    dossiers(world, world.city_desk, world.clerk, range(1, 13))
    dossiers(world, world.ward_desk, world.ward_clerk, range(1, 13, 3))
    every = sorted(AdministrativeUnit.objects.values_list("pk", flat=True))

    def read() -> tuple[str, list[object]]:
        with CaptureQueriesContext(connection) as sums:
            found = ledger_sums(every, YEAR.start, YEAR.end, by=by, monthly=monthly)
        return sums.captured_queries[-1]["sql"], sorted(found, key=repr)

    (outside_sql, expected), (inside_sql, found) = outside_then_inside_a_request(read)
    assert '"unit_id" IN' in outside_sql
    assert '"unit_id" IN' not in inside_sql
    assert found == expected
    assert any(row.n for row in found)  # not an empty comparison


@pytest.mark.django_db(transaction=True)
def test_a_request_asks_what_the_ledger_has_summed_once_for_the_same_days():
    """The dashboard's rows and its trend read the ledger for the same days: in a request,
    what its rollups hold for them (``ledger_checkpoints._taken``) is read once and kept
    (``lib.per_request``); outside one, each read asks. A rollup taken between the two
    reads of a request is not used, and the sums are the same."""
    world = build_world()
    dossiers(world, world.city_desk, world.clerk, range(1, 13))
    half = Period(date(2024, 4, 1), date(2024, 9, 30))
    summed = '"dossiers_ledgermonth"'

    def dashboard() -> tuple[int, object]:
        with CaptureQueriesContext(connection) as read:
            report, rows = report_with_rows(world.city, half)
            trend = monthly_trend(world.city, half, report)
        asked = sum(summed in query["sql"] for query in read.captured_queries)
        months = [(m.period, m.totals) for m in trend]
        return asked, (report.totals, [(r.label, r.totals) for r in rows], months)

    outside, expected = dashboard()
    assert outside == 2
    request_started.send(sender=None)
    try:
        inside, found = dashboard()
        assert months_take(date(2026, 12, 7))  # rollups taken within the request
        again, found_again = dashboard()
    finally:
        request_finished.send(sender=None)
    assert (inside, again) == (1, 0)
    assert found == found_again == expected
    assert dashboard() == (2, expected)  # the next reads, outside, use the rollups


def test_the_trend_and_the_rows_read_the_same_with_checkpoints():
    world = build_world()
    dossiers(world, world.city_desk, world.clerk, range(1, 13))
    dossiers(world, world.ward_desk, world.ward_clerk, range(6, 13))
    periods = [
        Period(date(2024, 11, 15), date(2025, 2, 14)),  # across the year end
        Period(date(2025, 1, 1), date(2025, 3, 31)),  # from 01/01, after a checkpoint
        Period(date(2025, 12, 15), date(2026, 2, 14)),  # two checkpoints before it
    ]

    def read() -> list[object]:
        return [
            (
                [
                    (m.period, m.totals, m.measures)
                    for m in report_months(world.city, months_of(period))
                ],
                [(m.period, m.totals) for m in monthly_trend(world.city, period)],
                [(r.part, r.totals) for r in unit_rows(world.city, period)],
            )
            for period in periods
        ]

    before = read()
    assert checkpoints_take(date(2026, 12, 3)) == [2024, 2025]
    assert read() == before
    trend = report_months(world.city, months_of(periods[1]))
    assert trend[0][Bucket.CARRIED_OVER] > 0  # the stocks did come from the checkpoint
