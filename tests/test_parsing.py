from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from motcua.lib.parsing import parse_cell_date, parse_date, parse_moment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07/04/2025", date(2025, 4, 7)),
        ("7/4/2025", date(2025, 4, 7)),
        ("2025-04-07", date(2025, 4, 7)),
    ],
)
def test_it_reads_dates_day_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("bad", ["31/02/2025", "2025/04/07", "07-04-25", "", "hôm qua"])
def test_it_refuses_what_is_not_a_date(bad):
    with pytest.raises(ValueError):
        parse_date(bad)


def test_it_reads_moments():
    assert parse_moment("24/01/2025 16:30", UTC) == datetime(2025, 1, 24, 16, 30, tzinfo=UTC)
    assert parse_moment("2025-01-24T16:30:15", UTC) == datetime(2025, 1, 24, 16, 30, 15, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_moment("24/01/2025", UTC)
    with pytest.raises(ValueError):
        parse_moment("24/01/2025 25:00", UTC)


def test_dates_outside_their_bounds_are_refused_with_the_bounds():
    # Without bounds "31/12/9999" parsed and overflowed a day later (a 500 in the dashboard).
    from motcua.lib.parsing import CALENDAR_FIRST, CALENDAR_LAST, LATEST, DateOutOfRange

    with pytest.raises(DateOutOfRange) as refused:
        parse_date("31/12/9999")
    assert (refused.value.earliest, refused.value.latest) == (date(1900, 1, 1), LATEST)
    assert isinstance(refused.value, ValueError)  # callers that answer bad dates answer it
    with pytest.raises(DateOutOfRange):
        parse_date("01/01/0001")
    assert parse_date("02/01/1940") == date(1940, 1, 2)  # a birth date
    with pytest.raises(DateOutOfRange):
        parse_date("31/12/1999", earliest=CALENDAR_FIRST, latest=CALENDAR_LAST)
    with pytest.raises(DateOutOfRange):
        parse_moment("31/12/2999 16:00", UTC, earliest=CALENDAR_FIRST, latest=CALENDAR_LAST)
    assert parse_moment("31/12/2098 16:00", UTC, latest=CALENDAR_LAST).year == 2098


def test_the_bounds_are_the_working_day_calendars_years():
    from motcua.core.clock import FIRST_YEAR, LAST_YEAR
    from motcua.lib.parsing import CALENDAR_FIRST, CALENDAR_LAST, LATEST

    assert date(FIRST_YEAR, 1, 1) == CALENDAR_FIRST
    assert date(LAST_YEAR - 1, 12, 31) == CALENDAR_LAST  # a year to count working days after
    assert date(LAST_YEAR, 12, 31) == LATEST


def test_a_file_cells_date_is_tidied_and_refused_with_how_to_write_it():
    assert parse_cell_date("  07/04/2025 ") == date(2025, 4, 7)
    with translation.override("vi"), pytest.raises(ValueError) as refused:
        parse_cell_date("31/02/2025")
    assert str(refused.value) == "“31/02/2025” không phải là ngày: hãy ghi dd/mm/yyyy"
