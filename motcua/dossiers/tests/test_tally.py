"""The pending tally's triggers keep a rule frozen in their migration (dossiers 0031): it must
stay the code's. Its sums against the end-of-day lists: reports/tests/test_dashboard.py."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

from motcua.core import workflow
from motcua.core.clock import LOCAL_TZ

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
