"""A past moment's stock (carried over into a period, pending at its end) is read from the
dossiers open at that moment (issue 17): on PostgreSQL the candidates carry the span
condition (``reports.drill.SpanCovers``) that the GiST index of reports migration 0002
serves, so a past half-year's drill-down no longer ranges over everything resolved after it.
The lists stay exactly the figure's (``core.metrics.buckets`` over every dossier of the
unit), on both databases.

Data: the small world of the dossier tests (``dossiers/tests/world.py``), per test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.core import workflow
from motcua.core.metrics import Bucket, Period
from motcua.dossiers.choices import Channel, ReturnMethod
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.world import World, build_world, local
from motcua.lib.paging import read_cursor
from motcua.reports import drill, eod
from motcua.reports.selectors import report_drill_down, report_for
from motcua.units.selectors import unit_lineage

Q1 = Period(date(2024, 2, 1), date(2024, 3, 31))


def history(world: World) -> None:
    """Dossiers received from January to May 2024, resolved before, inside and after the
    first quarter, one exactly at its end, one withdrawn, some never resolved."""
    plan = [
        ("03/01/2024 08:00", "10/01/2024 10:00"),  # finished before the period
        ("15/01/2024 08:00", "05/02/2024 10:00"),  # carried over, resolved in it
        ("25/01/2024 08:00", "15/04/2024 10:00"),  # carried over, pending at its end
        ("30/01/2024 08:00", None),  # carried over, never resolved
        ("05/03/2024 08:00", "01/04/2024 00:00"),  # pending at the end: resolved at midnight
        ("12/03/2024 08:00", "20/03/2024 10:00"),  # received and resolved in it
        ("20/03/2024 08:00", None),  # pending at the end, still open
        ("10/04/2024 08:00", "12/04/2024 10:00"),  # after the period
    ]
    for received, resolved in plan:
        dossier = world.create(at=received)
        if resolved is None:
            continue
        act = {"dossier_id": dossier.pk, "at": local(received.replace("08:00", "09:00"))}
        dossier_transition(action=workflow.Action.TRANSFER, actor=world.clerk, **act)
        act["at"] = local(resolved)
        dossier_transition(action=workflow.Action.APPROVE, actor=world.officer, **act)
        dossier_transition(
            action=workflow.Action.RETURN_RESULT,
            actor=world.clerk,
            details=Details(return_method=ReturnMethod.COUNTER),
            **act,
        )
    withdraw(world)


def withdraw(world: World) -> Dossier:
    """A dossier received on 22/01/2024 and withdrawn on 14/02/2024 at 10:00."""
    withdrawn = world.create(at="22/01/2024 08:00")
    dossier_transition(
        action=workflow.Action.WITHDRAW,
        actor=world.clerk,
        dossier_id=withdrawn.pk,
        reason="Người nộp xin rút hồ sơ",
        at=local("14/02/2024 10:00"),
    )
    return withdrawn


def plan(
    rows, off=("seqscan", "bitmapscan", "sort"), columns=("pk", "received_at"), order=None
) -> str:
    """PostgreSQL's plan of a page of ``rows`` in the drill-down's order (or ``order``; ``()``:
    their own)."""
    if order != ():  # () keeps the order of ``rows``
        rows = rows.order_by(*(order or drill.DRILL_ORDER).order_by())
    page = rows.values(*columns)[:3]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is small enough for a sequential or bitmap scan to win.
        for scan in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{scan} = {'off' if scan in off else 'on'}")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def every_counted(world: World, bucket: Bucket, period: Period = Q1) -> list[str]:
    """The figure by its definition over every dossier of the unit, no SQL narrowing."""
    scan = drill._scanner(period, [bucket])
    everything = Dossier.objects.filter(receiving_unit__in=unit_lineage(world.city)).order_by(
        *drill.DRILL_ORDER.order_by()
    )
    return [row.code for row, kept in scan(everything) if kept]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bucket",
    [Bucket.CARRIED_OVER, Bucket.PENDING, Bucket.PENDING_WITHIN_TIME, Bucket.PENDING_OVERDUE],
)
def test_a_past_stock_lists_exactly_the_dossiers_open_at_that_moment(bucket):
    world = build_world()
    history(world)
    listed = report_drill_down(world.city, Q1, bucket)
    assert listed == every_counted(world, bucket)
    assert len(listed) == report_for(world.city, Q1).totals.get(bucket, 0)
    if bucket in (Bucket.CARRIED_OVER, Bucket.PENDING):
        assert len(listed) >= 3


def clocks(world: World) -> dict[str, Dossier]:
    """Clocks stopped and running in April 2024: stopped in time (02/04, due 08/04) and still
    stopped, so within time ever since; stopped after its due moment (04/04 17:00), so
    overdue while it waits; stopped in time and running again, past its moved due moment
    long ago."""
    A = workflow.Action

    def act(dossier, action, at, actor):
        return dossier_transition(dossier_id=dossier.pk, action=action, actor=actor,
                                  reason="Lý do", at=local(at))  # fmt: skip

    paused = act(world.create(at="01/04/2024 10:00"), A.TRANSFER, "01/04/2024 10:05", world.clerk)
    act(paused, A.REQUEST_SUPPLEMENT, "02/04/2024 09:00", world.officer)
    late = act(world.create(at="28/03/2024 17:00"), A.TRANSFER, "28/03/2024 17:05", world.clerk)
    act(late, A.REQUEST_SUPPLEMENT, "04/04/2024 20:00", world.officer)
    resumed = act(world.create(at="01/04/2024 15:00"), A.TRANSFER, "01/04/2024 15:05",
                  world.clerk)  # fmt: skip
    resumed = act(resumed, A.REQUEST_SUPPLEMENT, "02/04/2024 15:00", world.officer)
    dossier_transition(dossier_id=resumed.pk, action=A.SUPPLEMENT, actor=None,
                       as_applicant=True, at=local("04/04/2024 09:00"))  # fmt: skip
    return {"paused": paused, "late": late, "resumed": resumed}


@pytest.mark.django_db
@pytest.mark.parametrize("end", [date(2024, 4, 3), date(2024, 4, 10)])
@pytest.mark.parametrize(
    "bucket", [Bucket.PENDING, Bucket.PENDING_WITHIN_TIME, Bucket.PENDING_OVERDUE]
)
def test_a_past_stock_within_time_or_overdue_is_exact_with_clocks_stopped(bucket, end):
    """The within-time list of a past period's end keeps, in SQL, the dossiers with no time
    limit, a due moment not before that end as the columns stand now, or a clock stopped
    since before it and still stopped (``drill.necessary``): at the end of 03/04/2024 the
    resumed dossier was stopped, its due moment since moved past it; at the end of 10/04 the
    one still stopped is within time though its due moment (08/04) is past."""
    world = build_world()
    history(world)  # resolutions after both ends: their stocks are read as past ones
    made = clocks(world)
    period = Period(date(2024, 4, 1), end)
    assert drill.finished_since(period.hi)

    listed = report_drill_down(world.city, period, bucket)

    assert listed == every_counted(world, bucket, period)
    assert len(listed) == report_for(world.city, period).totals.get(bucket, 0)
    if bucket is Bucket.PENDING_WITHIN_TIME:
        within = {name for name, d in made.items() if d.code in listed}
        assert within == ({"paused", "resumed", "late"} if end.day == 3 else {"paused"})
        if end.day == 10:  # the stopped clock's due moment is past: kept by its pause alone
            assert Dossier.objects.get(pk=made["paused"].pk).effective_due_at < period.hi


@pytest.mark.django_db
@pytest.mark.parametrize("bucket", [Bucket.PENDING, Bucket.PENDING_OVERDUE])
def test_a_period_not_over_lists_the_dossiers_not_finished(bucket):
    """Nothing has finished since the end of a period not over yet: its stock is the
    dossiers not finished, read in the list's order from their partial index (dossiers
    migration 0020), and still exactly the figure."""
    world = build_world()
    history(world)
    current = Period(date(2024, 4, 1), timezone.localdate())
    assert not drill.finished_since(current.hi)
    sql = str(drill.candidates([world.city.pk], current, [bucket]).query)
    assert "motcua_open_span" not in sql
    listed = report_drill_down(world.city, current, bucket)
    assert listed == every_counted(world, bucket, current)
    assert len(listed) == report_for(world.city, current).totals.get(bucket, 0)
    if bucket is Bucket.PENDING:
        assert len(listed) == 2  # the two never resolved


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bucket", [Bucket.PENDING, Bucket.PENDING_WITHIN_TIME, Bucket.PENDING_OVERDUE]
)
def test_a_period_not_over_reads_its_stock_exactly_in_sql(bucket):
    """The stock at the end of a period not over is read by its exact condition in SQL
    (``drill.exact_stock``: the clock columns as they stand, no facts loaded per dossier),
    and is still exactly the figure: a province's oldest pending dossiers are all overdue,
    and read one by one they filled every chunk of a within-time page, which came back empty
    at 10 M dossiers. Clocks running, stopped in time, stopped late, stopped and running
    again."""
    world = build_world()
    history(world)  # two dossiers never resolved since early 2024: running, overdue
    clocks(world)

    # Ending tomorrow: its last second is past any moment recorded now, whatever the hour.
    current = Period(date(2024, 4, 1), timezone.localdate() + timedelta(days=1))
    assert drill.exact_stock([bucket], current) is not None
    with CaptureQueriesContext(connection) as queries:
        page = drill.drill_page([world.city.pk], current, [bucket], None, 2)
    assert not any("dossiers_pause" in q["sql"] for q in queries.captured_queries)
    expected = every_counted(world, bucket, current)
    assert [row.code for row in page.rows] == expected[:2]
    assert report_drill_down(world.city, current, bucket) == expected
    assert len(expected) == report_for(world.city, current).totals.get(bucket, 0)
    sizes = {Bucket.PENDING: 5, Bucket.PENDING_WITHIN_TIME: 1, Bucket.PENDING_OVERDUE: 4}
    assert len(expected) == sizes[bucket]
    # A past period's stock is not read so (the columns say how a dossier stands now).
    assert drill.exact_stock([bucket], Q1) is None


@pytest.mark.django_db
def test_the_span_condition_is_asked_on_postgresql_and_served_by_its_index():
    world = build_world()
    history(world)  # resolutions after Q1: its stock is not the dossiers open now
    moment = local("31/03/2024 17:00")
    found = drill.candidates([1], Q1, [Bucket.PENDING])
    sql, params = found.query.sql_with_params()
    if connection.vendor != "postgresql":
        assert "motcua_open_span" not in sql
        return
    assert "motcua_open_span" in sql
    # The expression the code writes is the index's (else PostgreSQL could not use it):
    # with sequential scans off and no other index on it, the plan must name the index.
    spans = Dossier.objects.filter(drill.SpanCovers(moment)).values("pk")
    sql, params = spans.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "dossier_open_span" in plan, plan


def paged_both_ways(
    units: list[int], buckets: list[Bucket], size: int, expected: list[str]
) -> list[str]:
    """Reads the list a page of ``size`` at a time forward, then back from the last page,
    asserting both hold ``expected`` in order; the statements read forward."""
    forward, cursor, pages = [], None, []
    with CaptureQueriesContext(connection) as queries:
        while True:
            page = drill.drill_page(units, Q1, buckets, cursor, size)
            pages.append(page)
            forward += [row.code for row in page.rows]
            if page.next_cursor is None:
                break
            cursor = read_cursor(page.next_cursor, drill.DRILL_ORDER)
    assert forward == expected
    backward, text = [], pages[-1].previous_cursor
    while text is not None:
        page = drill.drill_page(units, Q1, buckets, read_cursor(text, drill.DRILL_ORDER), size)
        backward = [row.code for row in page.rows] + backward
        text = page.previous_cursor
    assert backward == expected[: len(expected) - len(pages[-1].rows)]
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("bucket", [Bucket.CARRIED_OVER, Bucket.PENDING])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_a_past_stock_s_pages_read_in_order_from_the_index_hold_the_figure(bucket, size):
    """On PostgreSQL a past stock's page reads the receipt that ends it by an ordered scan of
    the span index (``drill.nearest_first``: ``<->``, reports migration 0004) and sorts only
    the rows up to it. Pages of every size, forward then back, hold the figure in order, with
    receipts at the same moment (the bound keeps every tie; the ids order them)."""
    world = build_world()
    history(world)
    for _ in range(3):
        world.create(at="25/01/2024 08:00")  # carried over and pending at the end, tied
    expected = every_counted(world, bucket)
    assert len(expected) >= 6
    units = list(unit_lineage(world.city).values_list("pk", flat=True))
    statements = paged_both_ways(units, [bucket], size, expected)
    ordered = [sql for sql in statements if "<->" in sql]
    assert bool(ordered) == (connection.vendor == "postgresql")


@pytest.mark.django_db
@pytest.mark.postgres_only  # PostgreSQL's GiST index; SQLite reads the unit's receipts
def test_the_page_s_edge_is_an_ordered_scan_of_the_span_index():
    world = build_world()
    history(world)
    found = drill.nearest_first(drill.candidates([world.city.pk], Q1, [Bucket.PENDING]), False, 3)
    sql, params = (
        found.order_by(*drill.DRILL_ORDER.order_by()).values("pk")[:3].query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Order By: (received_at <->" in plan, plan
    assert "dossier_open_span" in plan, plan


@pytest.mark.django_db
@pytest.mark.parametrize(
    "buckets",
    [
        [Bucket.RESOLVED],
        [Bucket.RESOLVED_ON_TIME],
        [Bucket.RESOLVED_LATE],
        [Bucket.RESOLVED_EARLY, Bucket.RESOLVED_LATE],
    ],
)
@pytest.mark.parametrize("size", [1, 2, 3])
@pytest.mark.parametrize("slack", [0, 1, drill.TIE_SLACK])
def test_resolutions_are_read_in_two_parts_and_still_hold_the_figure(
    buckets, size, slack, monkeypatch
):
    """A list of resolutions reads those received in the period and those received before
    it apart (``drill.resolution_parts``), the latter from the span index on PostgreSQL: the
    pages of every size, forward then back, and the export hold exactly the figure, with a
    dossier received before the period and resolved at its very first moment. Three
    receipts at one moment, read past a page's end with a slack smaller than them or not
    (``drill.TIE_SLACK``)."""
    monkeypatch.setattr(drill, "TIE_SLACK", slack)
    world = build_world()
    history(world)
    # Received at one moment before the period, resolved in it: ties in the part read from
    # the span index, across its scan's end for pages of every size.
    for resolved in ("01/02/2024 00:00", "02/02/2024 10:00", "03/02/2024 10:00"):
        early = world.create(at="29/01/2024 08:00")
        act = {"dossier_id": early.pk, "at": local("29/01/2024 09:00")}
        dossier_transition(action=workflow.Action.TRANSFER, actor=world.clerk, **act)
        act["at"] = local(resolved)  # the first at Q1's first moment
        dossier_transition(action=workflow.Action.APPROVE, actor=world.officer, **act)
    expected = sorted(
        {code for bucket in buckets for code in every_counted(world, bucket)},
        key=every_counted(world, Bucket.RESOLVED).index,
    )
    if buckets == [Bucket.RESOLVED]:
        assert early.code in expected
        assert len(expected) >= 5
    units = list(unit_lineage(world.city).values_list("pk", flat=True))
    found = drill.candidates(units, Q1, buckets)
    parts = drill.resolution_parts(found, Q1, buckets)
    assert len(parts) == 2
    spans = "GREATEST" in str(parts[0].query)  # drill.RESOLVED_SPAN
    assert spans == (connection.vendor == "postgresql")
    statements = paged_both_ways(units, buckets, size, expected)
    # The part received before the period is read in order from the span index (<->).
    ordered = [sql for sql in statements if "<->" in sql]
    assert bool(ordered) == (connection.vendor == "postgresql")
    exported = [row.code for chunk in drill.drill_codes(units, Q1, buckets, chunk=size)
                for row in chunk]  # fmt: skip
    assert exported == expected
    total = sum(report_for(world.city, Q1).totals.get(bucket, 0) for bucket in buckets)
    assert len(expected) == total


@pytest.mark.django_db
@pytest.mark.postgres_only  # PostgreSQL's covering and partial indexes
def test_lists_that_few_candidates_hold_are_told_from_index_entries():
    """This month's late resolutions are few among its receipts (mostly still pending) and
    among the stock at its start (mostly resolved in time), and the ends few among
    everything: the indexes the lists are read on carry what tells them apart (dossiers
    migration 0032, reports 0005 and 0006), so each part is an index-only scan, not a fetch of every
    candidate's row (213 → 74 ms and 92 → 38 ms at 10 M dossiers, issue 17)."""
    world = build_world()
    history(world)
    # A province's hundreds of units: one unit reads its own index by receipt.
    units = [world.city.pk, *range(10_000, 10_300)]

    late = drill.candidates(units, Q1, [Bucket.RESOLVED_LATE])
    earlier, received = drill.resolution_parts(late, Q1, [Bucket.RESOLVED_LATE])
    assert "Index Only Scan using dossier_received_order" in plan(received)
    # The part's first rows by an ordered scan of that index (``drill.span_part_first``),
    # then read by id.
    found = plan(drill.by_receipt(earlier, False), order=())
    # The stock at the period's start never finished is no resolution: read from the spans
    # of the resolved alone (reports 0007), and those resolved after the period skipped in
    # the index.
    assert "Index Only Scan using dossier_resolved_span" in found, found
    assert "Order By: (received_at <->" in found, found
    assert ") &< '(," in found, found
    ended = drill.candidates(units, Q1, [Bucket.ENDED])
    assert "Index Only Scan using dossier_ended_received" in plan(ended)
    # A past period's stock within its time: few of the stock at its end (at 10 M dossiers
    # 20.000, nearly all overdue for years), told by the clock columns the span index
    # carries (reports 0006; 290 → 100 ms), in the bound's scan and in the page's. The page
    # asks the bound in the span's form (``drill.SpanStartsBy``), which only that index
    # serves: asked of ``received_at``, the bound PostgreSQL cannot know when it plans made
    # the receipts' index look cheaper at 10 M, walked from the first receipt (135 ms). A
    # table this small walks it anyway; without it (rolled back with the test) the span
    # index serves the bound and the clock columns alone.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX dossier_received_order")
    # The stock within its time at the end of a period not over: the oldest open dossiers
    # are overdue for years (22.860 at 10 M dossiers), told from the entries of the open
    # dossiers' index, which carries the clock columns (dossiers 0035; 21 → 7 ms of SQL).
    # Asked with the receipts' index dropped: on a table this small its scan in the same
    # order can cost the same (CI chose it once).
    current = Period(date(2024, 4, 1), timezone.localdate() + timedelta(days=1))
    for bucket in (Bucket.PENDING_WITHIN_TIME, Bucket.PENDING_OVERDUE, Bucket.PENDING):
        stock = drill._exactly(units, current, [bucket], None)
        # Its rows as a page reads them (drill._as_drilled).
        found = plan(stock, columns=("pk", "code", "received_at"))
        assert "Index Only Scan using dossier_open_received" in found, bucket
    for backward in (False, True):
        stock = drill.candidates(units, Q1, [Bucket.PENDING_WITHIN_TIME])
        found = plan(drill.nearest_first(stock, backward, 3), off=("seqscan", "bitmapscan"))
        assert found.count("Index Only Scan using dossier_open_span") == 2, found
        assert (") &> tstzrange(" if backward else ") && tstzrange(") in found, found


def test_other_lists_are_read_whole():
    """Only lists of resolutions are split: a receipt, a stock or a mix with one reads as
    one list."""
    found = Dossier.objects.none()
    for buckets in ([Bucket.RECEIVED], [Bucket.PENDING], [Bucket.RESOLVED, Bucket.ENDED], []):
        assert drill.resolution_parts(found, Q1, buckets) == ()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "buckets",
    [
        [Bucket.RECEIVED],
        [Bucket.RECEIVED_ONLINE],
        [Bucket.RECEIVED_DIRECT],
        [Bucket.RECEIVED_ONLINE, Bucket.RECEIVED_DIRECT],
    ],
)
def test_the_receipts_are_read_exactly_in_sql(buckets):
    """A period's receipts are read by their exact condition in SQL (``drill.exact_receipts``:
    the receipt moment and the channel, no facts loaded per dossier), and are still exactly
    the figures, at the period's edges and on both channels."""
    world = build_world()
    history(world)
    world.create(at="01/02/2024 08:00")  # the period's first day
    world.create(at="31/03/2024 16:30")  # its last day
    world.create(at="01/04/2024 07:30")  # the first day after it
    for submitted, received in [("15/02/2024 08:00", "15/02/2024 09:00"),  # in the period
                                ("29/03/2024 08:00", "01/04/2024 08:00"),  # received after
                                ("20/03/2024 08:00", None)]:  # never received  # fmt: skip
        online = world.create(channel=Channel.ONLINE, at=submitted)
        if received is not None:
            dossier_transition(dossier_id=online.pk, action=workflow.Action.RECEIVE,
                               actor=world.clerk, at=local(received))  # fmt: skip
    assert drill.exact_receipts(buckets, Q1) is not None
    with CaptureQueriesContext(connection) as queries:
        page = drill.drill_page([world.city.pk], Q1, buckets, None, 50)
    assert not any("dossiers_pause" in q["sql"] for q in queries.captured_queries)
    scan = drill._scanner(Q1, buckets)
    everything = Dossier.objects.filter(receiving_unit__in=unit_lineage(world.city)).order_by(
        *drill.DRILL_ORDER.order_by()
    )
    expected = [row.code for row, kept in scan(everything) if kept]
    assert [row.code for row in page.rows] == expected
    totals = report_for(world.city, Q1).totals
    assert len(expected) == sum(totals.get(bucket, 0) for bucket in buckets) > 0
    # Receipts with a condition the columns do not tell are read one by one.
    assert drill.exact_receipts([Bucket.RECEIVED, Bucket.DIGITISED], Q1) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "buckets",
    [
        [Bucket.RESOLVED],
        [Bucket.RESOLVED_EARLY],
        [Bucket.RESOLVED_ON_TIME],
        [Bucket.RESOLVED_LATE],
        [Bucket.RESOLVED_ON_TIME, Bucket.RESOLVED_LATE],
        [Bucket.PENDING],
        [Bucket.CARRIED_OVER],
        [Bucket.RESOLVED, Bucket.PENDING],
    ],
)
def test_the_resolutions_and_a_past_stock_are_read_exactly_in_sql(buckets):
    """A period's resolutions and the whole stock at its end or start are read by their
    condition in SQL (``drill.candidates_exactly``: the resolution moment, never before the
    receipt, and the timeliness column; the span open at the moment), no facts loaded per
    dossier, and are still exactly the figures: carried over and received in the period,
    early, on time and late, resolved before the official receipt moment (a counter receipt
    after hours), at the period's edges (resolved at its first moment: carried over; at the
    next period's first: pending at its end)."""
    world = build_world()
    history(world)
    plan = [
        ("01/02/2024 08:00", "02/02/2024 10:00"),  # the first day: early
        ("05/03/2024 08:00", "12/03/2024 08:00"),  # on its due moment: on time
        ("31/01/2024 17:45", "31/01/2024 18:30"),  # resolved before its receipt moment
        ("27/03/2024 08:00", "31/03/2024 23:59"),  # the period's last minute
        ("28/12/2023 08:00", "01/02/2024 00:00"),  # carried over, resolved at its first moment
        ("29/03/2024 08:00", "01/04/2024 00:00"),  # resolved at the next period's first
    ]
    for received, resolved in plan:
        dossier = world.create(at=received)
        act = {"dossier_id": dossier.pk, "at": local(resolved)}
        dossier_transition(action=workflow.Action.TRANSFER, actor=world.clerk, **act)
        dossier_transition(action=workflow.Action.APPROVE, actor=world.officer, **act)
    assert drill.candidates_exactly(buckets)
    with CaptureQueriesContext(connection) as queries:
        page = drill.drill_page([world.city.pk], Q1, buckets, None, 50)
    facts = ("dossiers_pause", "dossiers_dossiercomponent", "payments_payment")
    assert not any(table in q["sql"] for q in queries.captured_queries for table in facts)
    expected = sorted({code for bucket in buckets for code in every_counted(world, bucket)})
    assert sorted(row.code for row in page.rows) == expected
    in_order = Dossier.objects.order_by(*drill.DRILL_ORDER.order_by())
    assert [row.code for row in page.rows] == [
        code for code in in_order.values_list("code", flat=True) if code in expected
    ]
    totals = report_for(world.city, Q1).totals
    assert len(expected) == sum(totals[bucket] for bucket in buckets) > 0
    exported = [row.code for chunk in drill.drill_codes([world.city.pk], Q1, buckets, chunk=2)
                for row in chunk]  # fmt: skip
    assert exported == [row.code for row in page.rows]
    # A sum with another kind of figure, and a past stock within time or overdue (the pauses
    # move the due moment), are still told from the facts.
    assert not drill.candidates_exactly([Bucket.RESOLVED, Bucket.ENDED])
    assert not drill.candidates_exactly([Bucket.PENDING_OVERDUE])
    assert not drill.candidates_exactly([Bucket.PENDING, Bucket.PENDING_WITHIN_TIME])
    assert not drill.candidates_exactly([])


@pytest.mark.django_db
@pytest.mark.postgres_only  # PostgreSQL's plan
def test_a_page_past_its_cursor_starts_the_index_at_the_cursor():
    """A page past its cursor reads the receipts' index from the cursor's receipt on
    (``lib.paging.Ordering.beyond``: the first key's own bound). Written only as the row
    comparison's ``OR``, the position was a filter: each page read its list from the
    period's start to its cursor, and a year's late resolutions exported by chunks read 1 M
    index entries for the last ones at 10 M dossiers (issue 17)."""
    world = build_world()
    history(world)
    late = drill.candidates([world.city.pk], Q1, [Bucket.RESOLVED_LATE])
    _, received = drill.resolution_parts(late, Q1, [Bucket.RESOLVED_LATE])
    position = [local("01/03/2024 08:00"), 1]
    found = plan(received.filter(drill.DRILL_ORDER.beyond(position)))
    bounds = [line for line in found.splitlines() if "Index Cond" in line]
    assert any("received_at >= '2024-03-01 01:00:00+00'" in line for line in bounds), found


@pytest.mark.django_db
@pytest.mark.postgres_only  # PostgreSQL's plan
def test_a_page_by_due_moment_past_its_cursor_starts_the_index_at_the_cursor():
    """A page of pending dossiers by due moment (the queue, the end-of-day lists), past a
    cursor with a due moment, reads the index from it (``lib.paging.Ordering.ranges``): the
    rows without one, which sort last, are a range of their own. As one condition, the
    ``OR`` was a filter from the index's start: page 100 of a province's queue read 2.000
    entries of each part's index (issue 17)."""
    pending = Dossier.objects.filter(status__in=sorted(s.value for s in workflow.PENDING))
    position = [local("01/03/2024 08:00"), "000.00.00.H00-240301-0001"]

    def index_conditions(condition) -> str:
        found = plan(pending.filter(condition), columns=("pk",), order=eod.EOD_ORDER)
        return "\n".join(line for line in found.splitlines() if "Index Cond" in line)

    with_due, without = eod.EOD_ORDER.ranges(position)
    bound = "effective_due_at >= '2024-03-01 01:00:00+00'"
    assert bound in index_conditions(with_due)
    assert "effective_due_at IS NULL" in index_conditions(without)
    assert bound not in index_conditions(eod.EOD_ORDER.beyond(position))


@pytest.mark.django_db
def test_finished_since_counts_a_resolution_or_an_end_at_the_moment_itself():
    """``drill.finished_since`` (a statement written by hand) holds from the moment a dossier
    was resolved or ended (withdrawn), that moment included, and not a microsecond after."""
    world = build_world()
    tick = timedelta(microseconds=1)
    withdrawn = withdraw(world)
    ended = Dossier.objects.get(pk=withdrawn.pk).ended_at
    assert ended == local("14/02/2024 10:00")
    assert drill.finished_since(ended)
    assert not drill.finished_since(ended + tick)

    history(world)
    resolved = Dossier.objects.filter(resolved_at__isnull=False).latest("resolved_at").resolved_at
    assert resolved > ended
    assert drill.finished_since(resolved)
    assert not drill.finished_since(resolved + tick)
