"""A lineage of every unit there is (a province's) read without its unit ids, in a request whose
tree of units says so, and the same as with them (``units.tree.names_every_unit``).

Each test starts from an empty database holding only the town (``transaction=True``): in a
module whose other tests hold a module-wide transaction open (test_dashboard.py's ``demo``),
these ran inside it, where the tree is read again at every walk and never says so.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.core import workflow
from motcua.core.metrics import Bucket, Period
from motcua.reports import eod
from motcua.reports.selectors import report_drill_down
from motcua.reports.tests.in_request import outside_then_inside_a_request
from motcua.reports.tests.town import per_officer

A = workflow.Action

# A list of receiving units in a statement: as an array on PostgreSQL, a list on SQLite.
_UNIT_IDS = re.compile(r'"receiving_unit_id" (IN \(|= ANY)')


@pytest.mark.django_db(transaction=True)
def test_a_lineage_of_every_unit_counts_its_end_of_day_without_the_unit_ids(town):
    """The town's district is every unit there is: in a request, whose tree says so, its
    end-of-day counts and lists are read with no list of receiving units, and are those the
    ids give outside a request (``eod._received_by``)."""
    today = timezone.localdate()
    day = lambda back, hour: f"{today - timedelta(days=back):%d/%m/%Y} {hour}"  # noqa: E731
    for back in range(1, 16):  # due before today, today and after
        town.receive(day(back, "08:00"))
        town.receive(day(back, "14:30"))

    def read() -> tuple[list[str], object]:
        with CaptureQueriesContext(connection) as sql:
            counts = eod.end_of_day_counts(town.district).counts
            summary = eod.end_of_day_summary(town.district)
        found = (counts, summary.counts, per_officer(summary))
        return [query["sql"] for query in sql.captured_queries], found

    (outside, expected), (inside, found) = outside_then_inside_a_request(read)
    assert any(_UNIT_IDS.search(sql) for sql in outside)
    assert not any(_UNIT_IDS.search(sql) for sql in inside if "dossiers_dossier" in sql)
    assert found == expected
    assert expected[0][eod.EodList.OVERDUE] > 0


@pytest.mark.django_db(transaction=True)
def test_a_lineage_of_every_unit_drills_down_without_the_unit_ids(town):
    """Every figure's dossiers of the town's district (every unit there is), read in a
    request without a list of receiving units (``dossiers.selectors.received_by_q``), are
    those the ids give outside one."""
    today = timezone.localdate()
    day = lambda back, hour: f"{today - timedelta(days=back):%d/%m/%Y} {hour}"  # noqa: E731
    made = [town.receive(day(back, "09:00")) for back in range(2, 40, 3)]
    for dossier in made[::2]:
        town.act(dossier, A.TRANSFER, day(1, "10:00"))
        town.act(dossier, A.APPROVE, day(1, "15:00"))
    period = Period(today - timedelta(days=30), today)

    def read() -> tuple[list[str], dict[Bucket, list[str]]]:
        with CaptureQueriesContext(connection) as sql:
            found = {b: report_drill_down(town.district, period, b) for b in Bucket}
        return [query["sql"] for query in sql.captured_queries], found

    (outside, expected), (inside, found) = outside_then_inside_a_request(read)
    assert any(_UNIT_IDS.search(sql) for sql in outside)
    assert not any(_UNIT_IDS.search(sql) for sql in inside)
    assert found == expected
    assert expected[Bucket.RESOLVED]
    assert expected[Bucket.PENDING]
