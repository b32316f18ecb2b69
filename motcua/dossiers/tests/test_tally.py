"""The pending tally's triggers keep a rule frozen in their migration (dossiers 0031): it must
stay the code's. Its sums against the end-of-day lists: reports/tests/test_dashboard.py."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta

from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ
from motcua.dossiers.tally import fold_day

tally_migration = importlib.import_module("motcua.dossiers.migrations.0031_pending_tally")


def test_the_triggers_count_the_pending_states_of_the_workflow():
    # A state added to PENDING needs a migration that writes the triggers again.
    assert set(tally_migration.PENDING) == {status.value for status in workflow.PENDING}


def test_the_local_day_is_utc_plus_seven_all_year():
    # SQLite's triggers add seven hours to the UTC moment: true of Asia/Ho_Chi_Minh since 1975.
    moment = datetime(1976, 1, 1, tzinfo=UTC)
    while moment.year < 2100:
        assert moment.astimezone(LOCAL_TZ).utcoffset() == timedelta(hours=7), moment
        moment += timedelta(days=61)


def test_the_fold_keeps_yesterday_apart_in_the_first_hour_of_a_day():
    # A request begun before midnight still reads yesterday apart from the days before it.
    at = lambda hour, minute: datetime(2026, 12, 6, hour, minute, tzinfo=LOCAL_TZ)  # noqa: E731
    assert fold_day(at(0, 59)) == date(2026, 12, 4)
    assert fold_day(at(1, 0)) == date(2026, 12, 5)
    assert fold_day(at(22, 0)) == date(2026, 12, 5)
    assert fold_day(datetime(2026, 12, 5, 18, 30, tzinfo=UTC)) == date(2026, 12, 5)  # 01:30
