from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from motcua.lib.formatting import (
    format_count,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    format_ratio,
    nfc,
    percent,
)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1608, 0, "1.608"),
        (25328, 0, "25.328"),
        (1234567.891, 2, "1.234.567,89"),
        (6.077, 2, "6,08"),  # rounds half-up where Django truncates
        (Decimal("6.075"), 2, "6,08"),
        (0, 0, "0"),
        (-1608, 0, "-1.608"),
        (999, 0, "999"),
        (Fraction(2, 3), 1, "0,7"),
    ],
)
def test_it_formats_numbers_the_vietnamese_way(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_it_formats_the_seed_rates():
    assert format_ratio(189, 257) == "189/257 = 73,54%"
    assert format_ratio(75, 114) == "75/114 = 65,79%"
    assert format_ratio(508, 1501) == "508/1.501 = 33,84%"
    assert format_ratio(1459, 24007) == "1.459/24.007 = 6,08%"
    assert format_ratio(11152, 12064) == "11.152/12.064 = 92,44%"
    assert format_percent(percent(1608, 1608)) == "100%"
    assert format_percent(None) == "–"
    assert percent(1, 0) is None


def test_it_pads_small_counts_like_the_seed():
    assert format_count(5, 2) == "05"
    assert format_count(1608, 2) == "1.608"


def test_it_formats_dates_day_first():
    assert format_date(date(2024, 5, 3)) == "03/05/2024"
    assert format_datetime(datetime(2025, 2, 7, 16, 30)) == "16:30 07/02/2025"
    assert format_money(1608000) == "1.608.000 đ"


def test_it_normalises_to_nfc():
    decomposed = "Nguye\u0302\u0303n"
    assert nfc(decomposed) == "Nguyễn"
