from datetime import UTC, date, datetime

import pytest

from motcua.lib.parsing import parse_date, parse_moment


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
