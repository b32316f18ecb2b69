"""Laws of the clock, checked with hypothesis over 2024–2026 (and a make-up-days-off policy)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.clock.services import read_overrides_file
from motcua.core.clock import LOCAL_TZ, OfficeHours, WorkingCalendar

CALENDARS = [
    WorkingCalendar(overrides=read_overrides_file()),
    WorkingCalendar(make_up_days_count=False),
    WorkingCalendar(office_hours=OfficeHours.parse("07:30-11:30, 13:30-17:00")),
]

calendars = st.sampled_from(CALENDARS)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31, 23, 59)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=LOCAL_TZ))
working_days = st.integers(min_value=1, max_value=60)
working_hours = st.integers(min_value=1, max_value=480)


def in_session(calendar: WorkingCalendar, moment: datetime) -> bool:
    """Inside a session of a working day, its end included (a due moment may be 17:00)."""
    if not calendar.is_working_day(moment.date()):
        return False
    clock = moment.timetz().replace(tzinfo=None)
    return any(s.start < clock <= s.end for s in calendar.office_hours.sessions)


@settings(max_examples=300)
@given(calendars, moments, moments, working_days)
def test_it_is_monotonic(calendar: WorkingCalendar, a: datetime, b: datetime, n: int) -> None:
    first, second = sorted((a, b))
    assert calendar.add_working_days(first, n) <= calendar.add_working_days(second, n)
    assert calendar.add_working_days(first, n) < calendar.add_working_days(first, n + 1)


@settings(max_examples=300)
@given(calendars, moments, working_days, working_hours)
def test_it_round_trips_adding_and_counting(
    calendar: WorkingCalendar, start: datetime, n: int, h: int
) -> None:
    assert calendar.between(start, calendar.add_working_days(start, n)).days == n
    assert calendar.between(start, calendar.add_working_hours(start, h)).hours == h


@settings(max_examples=300)
@given(calendars, moments, working_days, working_hours)
def test_it_never_ends_in_non_working_time(
    calendar: WorkingCalendar, start: datetime, n: int, h: int
) -> None:
    assert in_session(calendar, calendar.add_working_days(start, n))
    assert in_session(calendar, calendar.add_working_hours(start, h))


@settings(max_examples=300)
@given(calendars, moments, moments, moments)
def test_it_adds_spans(calendar: WorkingCalendar, a: datetime, b: datetime, c: datetime) -> None:
    assert calendar.between(a, b).seconds + calendar.between(b, c).seconds == (
        calendar.between(a, c).seconds
    )


@settings(max_examples=300)
@given(calendars, moments)
def test_it_receives_in_working_time_and_never_earlier(
    calendar: WorkingCalendar, submitted: datetime
) -> None:
    received = calendar.receipt_moment(submitted)
    assert received >= submitted
    assert calendar.is_working_time(received)
    assert calendar.between(submitted, received).seconds == 0
    assert received - submitted < timedelta(days=12)  # the longest break is Tết


@settings(max_examples=300)
@given(calendars, moments, working_days)
def test_it_gives_the_same_due_moment_from_submission_or_receipt(
    calendar: WorkingCalendar, submitted: datetime, n: int
) -> None:
    received = calendar.receipt_moment(submitted)
    assert calendar.add_working_days(submitted, n) == calendar.add_working_days(received, n)


@settings(max_examples=200)
@given(calendars, moments, st.integers(min_value=1, max_value=90))
def test_it_ends_calendar_day_limits_on_working_days(
    calendar: WorkingCalendar, start: datetime, n: int
) -> None:
    due = calendar.add_calendar_days(start, n)
    assert calendar.is_working_day(due.date())
    assert due.date() >= start.date() + timedelta(days=n)
