"""A drill-down's count reads only the ledger figures it needs
(``reports.selectors.unit_figures``, ``core.metrics.ledger_figures_for``): every figure, alone
and with others, equals the whole report's, over periods whose edges cut months and years."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.metrics import Bucket, Period
from motcua.reports.selectors import unit_figures, unit_totals
from motcua.reports.tests.test_dashboard import demo as demo  # noqa: F401 (the fixture)
from motcua.units.selectors import lineage_ids, unit_at

PERIODS = [
    Period(date(2024, 1, 1), date(2024, 6, 30)),  # the seed's half-year
    Period(date(2024, 3, 15), date(2024, 5, 14)),  # statutory edges: day rows at both ends
    Period(date(2023, 12, 15), date(2024, 12, 14)),  # a statutory year across two years
    Period(date(2024, 5, 22), date(2024, 5, 22)),  # one day
]


@pytest.mark.django_db
@pytest.mark.parametrize("period", PERIODS)
def test_every_figure_alone_is_the_reports(demo, period):
    ids = list(lineage_ids(unit_at("058", date(2024, 6, 30))))
    whole = unit_totals(ids, period)[0]
    assert whole[Bucket.RECEIVED] + whole[Bucket.CARRIED_OVER] > 0  # not an empty comparison
    for bucket in Bucket:
        with CaptureQueriesContext(connection) as read:
            assert unit_figures(ids, period, [bucket]) == {bucket: whole[bucket]}, bucket
        assert len(read) == 2  # what the ledger has summed already, then the sums
    several = [Bucket.RESOLVED_LATE, Bucket.PENDING_WITHIN_TIME, Bucket.CARRIED_OVER]
    assert unit_figures(ids, period, several) == {bucket: whole[bucket] for bucket in several}
