"""Deadlines on the statutory clock: working days after the meeting skip weekends and the
2024 30/4–1/5 break (§7.2), a date must be a working day, and the reminder window."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from motcua.clock.selectors import calendar_for, forget_calendars
from motcua.directives.deadlines import deadline_after, deadline_on, remind_until
from motcua.directives.errors import InvalidInput
from motcua.directives.services import directive_create, meeting_create
from motcua.directives.tests.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def april_meeting(people):
    return meeting_create(
        actor=people.city_leader,
        unit=people.city,
        body="Ban Chỉ đạo cải cách hành chính thành phố Bắc Kạn",
        title="Họp giao ban tháng 4/2024",
        held_on=date(2024, 4, 26),  # Friday before the 27/04–01/05 break
        chair="Phó Chủ tịch UBND thành phố",
        at=local("26/04/2024 11:00"),
    )


def test_five_working_days_after_26_04_2024_skip_the_break_and_count_the_make_up_saturday(
    people, april_meeting
):
    # 27/04–01/05 off (29/04 swapped), 04/05 a make-up Saturday that counts by default:
    # 02/05 (1), 03/05 (2), 04/05 (3), 06/05 (4), 07/05 (5).
    directive = directive_create(
        actor=people.city_leader,
        meeting=april_meeting,
        text="Rà soát hồ sơ tồn đọng trước kỳ nghỉ lễ",
        agency=people.interior,
        head_name="Trưởng phòng Nội vụ",
        working_days=5,
        at=local("26/04/2024 16:00"),
    )
    assert directive.deadline == local("07/05/2024 17:00")
    assert directive.working_days == 5
    assert directive.unit == people.city


def test_without_make_up_days_the_same_deadline_is_a_day_later(people):
    with override_settings(MOTCUA_CLOCK={"MAKE_UP_DAYS_COUNT": False, "CACHE_SECONDS": 0}):
        forget_calendars()
        try:
            calendar = calendar_for(people.city)
            assert deadline_after(calendar, date(2024, 4, 26), 5) == local("08/05/2024 17:00")
        finally:
            forget_calendars()


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, "02/05/2024 17:00"),
        (3, "04/05/2024 17:00"),
        (4, "06/05/2024 17:00"),
    ],
)
def test_each_working_day_after_the_break(people, days, expected):
    calendar = calendar_for(people.city)
    assert deadline_after(calendar, date(2024, 4, 26), days) == local(expected)


def test_a_meeting_on_a_day_off_counts_from_the_next_working_day(people):
    calendar = calendar_for(people.city)
    # Held on Tue 30/04/2024 (a holiday): 02/05 is the first working day after it.
    assert deadline_after(calendar, date(2024, 4, 30), 1) == local("02/05/2024 17:00")


def test_a_date_is_the_close_of_that_working_day_and_a_holiday_is_refused(people):
    calendar = calendar_for(people.city)
    assert deadline_on(calendar, date(2024, 5, 31)) == local("31/05/2024 17:00")
    with pytest.raises(InvalidInput) as refused:
        deadline_on(calendar, date(2024, 4, 30))
    assert refused.value.field == "deadline"
    assert "30/04/2024" in refused.value.message
    with pytest.raises(InvalidInput):
        deadline_on(calendar, date(2024, 6, 1))  # a Saturday


@pytest.mark.parametrize("days", [0, -1])
def test_working_days_must_be_at_least_one(people, days):
    with pytest.raises(InvalidInput) as refused:
        deadline_after(calendar_for(people.city), date(2024, 4, 26), days)
    assert refused.value.field == "working_days"


def test_the_reminder_window_ends_at_the_close_of_the_n_th_working_day(people):
    calendar = calendar_for(people.city)
    # Fri 26/04 08:00, 2 working days: 02/05 and 03/05 (the break in between).
    assert remind_until(calendar, local("26/04/2024 08:00"), 2) == local("03/05/2024 17:00")
    # On a Saturday, Monday and Tuesday are the next two working days.
    assert remind_until(calendar, local("25/05/2024 09:00"), 2) == local("28/05/2024 17:00")
    assert remind_until(calendar, local("23/05/2024 09:00"), 0) == local("23/05/2024 17:00")
