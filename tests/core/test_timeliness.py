"""Early / on time / late, with pauses, the two-supplement rule and both early rules."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core.clock import WorkingCalendar
from motcua.core.timeliness import (
    EarlyRule,
    Pause,
    Timeliness,
    classify,
    effective_due,
    is_overdue,
    paused_seconds,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar(first_year=2024, last_year=2026)


def at(text):
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=TZ)


DUE = at("07/02/2025 16:30")  # Friday, after Tết


@pytest.mark.parametrize(
    ("finished", "rule", "expected"),
    [
        ("06/02/2025 16:30", EarlyRule.BEFORE_DUE_DAY, Timeliness.EARLY),
        ("07/02/2025 08:00", EarlyRule.BEFORE_DUE_DAY, Timeliness.ON_TIME),
        ("07/02/2025 16:30", EarlyRule.BEFORE_DUE_DAY, Timeliness.ON_TIME),
        ("07/02/2025 16:31", EarlyRule.BEFORE_DUE_DAY, Timeliness.LATE),
        ("07/02/2025 08:00", EarlyRule.BEFORE_DUE_SESSION, Timeliness.EARLY),
        ("07/02/2025 13:29", EarlyRule.BEFORE_DUE_SESSION, Timeliness.EARLY),
        ("07/02/2025 13:30", EarlyRule.BEFORE_DUE_SESSION, Timeliness.ON_TIME),
        ("10/02/2025 07:05", EarlyRule.BEFORE_DUE_SESSION, Timeliness.LATE),
    ],
)
def test_it_classifies_against_the_due_moment(finished, rule, expected):
    assert classify(CAL, finished_at=at(finished), due_at=DUE, rule=rule) == expected


def test_waiting_for_a_supplement_moves_the_due_moment_by_the_working_time_waited():
    # Paused from Thursday 14:30 to Friday 10:30: 2.5 h + 3.5 h = 6 working hours.
    pause = Pause(at("06/02/2025 14:30"), at("07/02/2025 10:30"))
    assert paused_seconds(CAL, [pause], at("10/02/2025 17:00")) == 6 * 3600
    assert effective_due(CAL, DUE, [pause], at("10/02/2025 17:00")) == at("10/02/2025 14:30")
    finished = at("10/02/2025 14:00")  # late without the pause, on time with it
    assert classify(CAL, finished_at=finished, due_at=DUE) == Timeliness.LATE
    assert (
        classify(CAL, finished_at=finished, due_at=DUE, pauses=[pause], supplement_requests=1)
        == Timeliness.ON_TIME
    )


def test_more_than_one_supplement_request_counts_as_late():
    early = at("03/02/2025 08:00")
    assert classify(CAL, finished_at=early, due_at=DUE, supplement_requests=1) == Timeliness.EARLY
    assert classify(CAL, finished_at=early, due_at=DUE, supplement_requests=2) == Timeliness.LATE
    assert is_overdue(CAL, at=early, due_at=DUE, supplement_requests=2)


def test_a_pending_dossier_is_overdue_only_after_its_moved_due_moment():
    assert not is_overdue(CAL, at=at("07/02/2025 16:30"), due_at=DUE)
    assert is_overdue(CAL, at=at("07/02/2025 16:31"), due_at=DUE)
    open_pause = Pause(at("07/02/2025 09:00"), None)  # still waiting: the clock stands still
    assert not is_overdue(CAL, at=at("20/02/2025 16:00"), due_at=DUE, pauses=[open_pause])
