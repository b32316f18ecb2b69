"""Reading dates and moments as people type them: dd/mm/yyyy first, ISO accepted.

Every entry point (CLI options, import files, forms, page and API parameters) parses through
here, so "07/04/2025" is 7 April everywhere. Callers turn the ValueError into a message that
names their place; :func:`parse_cell_date` gives file cells their translated message.

A date must also fall within bounds: by default the years any date in motcua can be
(:data:`EARLIEST`, a birth in 1900, to :data:`LATEST`, the working-day calendar's last day,
``core.clock.LAST_YEAR``). Without them ``to=31/12/9999`` parsed, then overflowed a day later
(OverflowError) or fell outside the calendar (ClockError): a 500 instead of a message. A date
outside its bounds raises :class:`DateOutOfRange`, a ValueError, so every caller that already
answers a malformed date answers it too; ``error.earliest``/``error.latest`` name the bounds.
Callers pass narrower bounds where they know them (report periods: :data:`CALENDAR_FIRST`–
:data:`CALENDAR_LAST`, the years the working-day calendar covers).
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from django.utils.translation import gettext as _

from motcua.lib.tablefile import clean_text

_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MOMENT = re.compile(r"(?P<date>\S+)[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?")

# The years of the working-day calendar (core.clock.FIRST_YEAR–LAST_YEAR, 2000–2099, kept
# equal by a test; lib does not import core), less its last year: a period or a moment is
# followed by working days (the next working day, due moments), which must stay inside it.
CALENDAR_FIRST = date(2000, 1, 1)
CALENDAR_LAST = date(2098, 12, 31)
# Any date motcua stores: births from 1900, nothing past the calendar's last day.
EARLIEST = date(1900, 1, 1)
LATEST = date(2099, 12, 31)


class DateOutOfRange(ValueError):
    """A well-formed date outside the bounds the caller accepts."""

    def __init__(self, value: date, earliest: date, latest: date) -> None:
        super().__init__(
            f"{value.isoformat()} is outside {earliest.isoformat()}–{latest.isoformat()}"
        )
        self.value = value
        self.earliest = earliest
        self.latest = latest


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (dd/mm/yyyy)") from None


def parse_date(text: str, *, earliest: date = EARLIEST, latest: date = LATEST) -> date:
    """'07/04/2025', '7/4/2025' or '2025-04-07'; raises ValueError for anything else, and
    :class:`DateOutOfRange` (a ValueError) for a date before ``earliest`` or after ``latest``."""
    text = text.strip()
    match = _VN_DATE.fullmatch(text)
    if match:
        day = _day(int(match[3]), int(match[2]), int(match[1]), text)
    else:
        match = _ISO_DATE.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not a date (dd/mm/yyyy)")
        day = _day(int(match[1]), int(match[2]), int(match[3]), text)
    if not earliest <= day <= latest:
        raise DateOutOfRange(day, earliest, latest)
    return day


def parse_cell_date(value: str) -> date:
    """A date as typed in a file's cell or a form's field: spaces tidied
    (``tablefile.clean_text``), then :func:`parse_date`; anything else raises a ValueError whose
    message says how to write one ("“x” is not a date: write dd/mm/yyyy"), in the interface
    language. The one cell grammar of dates for the catalogue and the indicator values files."""
    text = clean_text(value)
    try:
        return parse_date(text)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date: write dd/mm/yyyy") % {"value": text}
        ) from None


def parse_moment(
    text: str, tz: tzinfo, *, earliest: date = EARLIEST, latest: date = LATEST
) -> datetime:
    """'24/01/2025 16:30' or '2025-01-24 16:30[:00]' (also with T), in the time zone ``tz``;
    its day within ``earliest``–``latest`` (:class:`DateOutOfRange` otherwise)."""
    match = _MOMENT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a date and time (dd/mm/yyyy HH:MM)")
    day = parse_date(match["date"], earliest=earliest, latest=latest)
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{text!r} is not a date and time (dd/mm/yyyy HH:MM)")
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)
