from datetime import date

import pytest

from motcua.core.periods import named_period, parse_named_period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("month:2024-01", date(2023, 12, 15), date(2024, 1, 14)),
        ("month:2024-05", date(2024, 4, 15), date(2024, 5, 14)),
        ("quarter:2024-1", date(2023, 12, 15), date(2024, 3, 14)),
        ("quarter:2024-2", date(2024, 3, 15), date(2024, 6, 14)),
        ("quarter:2024-3", date(2024, 6, 15), date(2024, 9, 14)),
        ("quarter:2024-4", date(2024, 9, 15), date(2024, 12, 14)),
        ("half:2024", date(2023, 12, 15), date(2024, 6, 14)),
        ("nine:2024", date(2023, 12, 15), date(2024, 9, 14)),
        ("year:2024", date(2023, 12, 15), date(2024, 12, 14)),
    ],
)
def test_it_follows_the_decree_09_cut_offs(text, start, end):
    period = parse_named_period(text)
    assert (period.start, period.end) == (start, end)


def test_it_gives_calendar_periods_with_a_cut_off_on_the_first():
    period = named_period("month", 2024, 2, cutoff_day=1)
    assert (period.start, period.end) == (date(2024, 2, 1), date(2024, 2, 29))
    year = named_period("year", 2024, cutoff_day=1)
    assert (year.start, year.end) == (date(2024, 1, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    "bad", ["month:2024-13", "week:2024", "2024", "quarter:2024-5", "month:24-1"]
)
def test_it_refuses_what_is_not_a_period(bad):
    with pytest.raises(ValueError):
        parse_named_period(bad)


def test_the_second_half_of_a_year():
    # "These six months" in December: 15/06 to 14/12 (issue 10 quick picks).
    period = parse_named_period("half:2026-2")
    assert (period.start, period.end) == (date(2026, 6, 15), date(2026, 12, 14))
    assert parse_named_period("half:2026-1") == parse_named_period("half:2026")
    calendar = named_period("half", 2026, 2, cutoff_day=1)
    assert (calendar.start, calendar.end) == (date(2026, 7, 1), date(2026, 12, 31))
