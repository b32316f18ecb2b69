"""Numbers as Vietnamese write them (``motcua.lib.formatting``): the counts' short path gives
what the decimal path gives."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from motcua.lib.formatting import format_count, format_number, format_percent


def test_a_count_is_written_with_dots_between_thousands_as_any_number_is():
    for value in (0, 5, -5, 999, 1000, 1608, -1608, 100_000, 12_345_678, -1_000_000, 10**15):
        assert format_number(value) == format_number(Decimal(value)), value
        assert format_number(value, thousands=" ") == format_number(Decimal(value), thousands=" ")
    assert format_number(1608) == "1.608"
    assert format_number(-12_345_678) == "-12.345.678"
    assert format_number(True) == "1"
    assert format_count(5, 2) == "05"


def test_other_numbers_are_rounded_half_up_with_a_comma():
    assert format_number(6.077, 2) == "6,08"
    assert format_number(6.075, 2) == "6,08"
    assert format_number(Fraction(2, 3), 1) == "0,7"
    assert format_number(1608, 2) == "1.608,00"
    assert format_number(1607.5) == "1.608"
    assert format_percent(Fraction(1599 * 100, 1604)) == "99,69%"
