"""Named reporting periods with the data cut-off days of Decree 09/2019 Art. 12 (§4.2 [S/NC]).

A month runs from the 15th of the previous month to the 14th; a quarter, six months, nine
months and a year end on the 14th of their last month and start on the 15th of the month
before their first. Six months are the first half (the decree's six-month report, ``half:2024``)
or the second (``half:2024-2``, 15/06 to 14/12), so "this six months" exists all year.
The cut-off day is NOT CONFIRMED from the decree's text, so it is a
parameter: ``cutoff_day=1`` gives plain calendar periods.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from motcua.core.metrics import Period

KINDS = ("month", "quarter", "half", "nine", "year")
# How many periods of each kind a year has.
LIMITS = {"month": 12, "quarter": 4, "half": 2, "nine": 1, "year": 1}
# The quick picks of the dashboard: this one and the previous one of each.
QUICK_KINDS = ("month", "quarter", "half", "year")


def _start_of(year: int, month: int, cutoff_day: int) -> date:
    """The first day of a period whose first month is ``month`` of ``year``."""
    if cutoff_day == 1:
        return date(year, month, 1)
    previous = date(year, month, 1) - timedelta(days=1)
    return date(previous.year, previous.month, cutoff_day)


def _end_of(year: int, month: int, cutoff_day: int) -> date:
    """The last day of a period whose last month is ``month`` of ``year``."""
    if cutoff_day == 1:
        following = date(year + (month == 12), month % 12 + 1, 1)
        return following - timedelta(days=1)
    return date(year, month, cutoff_day - 1)


def named_period(kind: str, year: int, number: int = 1, *, cutoff_day: int = 15) -> Period:
    """The period ``kind`` (month, quarter, half, nine, year) ``number`` of ``year``."""
    if not 1 <= cutoff_day <= 28:
        raise ValueError(f"cut-off day {cutoff_day} is not between 1 and 28")
    limits = LIMITS
    if kind not in limits:
        raise ValueError(f"{kind!r} is not one of {', '.join(KINDS)}")
    if not 1 <= number <= limits[kind]:
        raise ValueError(f"{kind} {number} does not exist")
    first, last = {
        "month": (number, number),
        "quarter": (3 * number - 2, 3 * number),
        "half": (1, 6) if number == 1 else (7, 12),
        "nine": (1, 9),
        "year": (1, 12),
    }[kind]
    return Period(_start_of(year, first, cutoff_day), _end_of(year, last, cutoff_day))


def parse_named_period(text: str, *, cutoff_day: int = 15) -> Period:
    """'month:2024-05', 'quarter:2024-2', 'half:2024' (or 'half:2024-2'), 'nine:2024',
    'year:2024'."""
    match = re.fullmatch(r"(\w+):(\d{4})(?:-(\d{1,2}))?", text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a period like month:2024-05, quarter:2024-2, year:2024")
    kind, year, number = match[1], int(match[2]), int(match[3] or 1)
    return named_period(kind, year, number, cutoff_day=cutoff_day)


def period_containing(kind: str, day: date, *, cutoff_day: int = 15) -> tuple[int, int, Period]:
    """The period of ``kind`` that contains ``day``: (year, number, period). With a cut-off
    day, 20/12/2026 is already in month 1, quarter 1, half 1 and year 2027."""
    for year in (day.year, day.year + 1):
        for number in range(1, LIMITS[kind] + 1):
            found = named_period(kind, year, number, cutoff_day=cutoff_day)
            if found.start <= day <= found.end:
                return year, number, found
    raise ValueError(f"no {kind} contains {day.isoformat()}")  # the periods tile every year


@dataclass(frozen=True)
class QuickPick:
    """A period one click away: ``kind`` of ``QUICK_KINDS``, this one or the previous one."""

    kind: str
    previous: bool
    year: int
    number: int
    period: Period

    @property
    def value(self) -> str:
        """The period as ``parse_named_period`` reads it (half:2026-2, year:2026)."""
        if LIMITS[self.kind] == 1:
            return f"{self.kind}:{self.year}"
        return f"{self.kind}:{self.year}-{self.number}"


def quick_picks(today: date, *, cutoff_day: int = 15) -> list[QuickPick]:
    """This month, quarter, six months and year (the periods of Decree 09/2019 that contain
    ``today``, cut at ``today``: nothing after it has happened) and the previous one of each,
    whole."""
    picks = []
    for kind in QUICK_KINDS:
        year, number, current = period_containing(kind, today, cutoff_day=cutoff_day)
        picks.append(QuickPick(kind, False, year, number, Period(current.start, today)))
        before = current.start - timedelta(days=1)
        year, number, previous = period_containing(kind, before, cutoff_day=cutoff_day)
        picks.append(QuickPick(kind, True, year, number, previous))
    return picks
