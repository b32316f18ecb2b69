"""Deadlines of directives on the statutory clock (motcua.core.clock), never counted by hand.

A deadline is the close of office of a working day of the assignee's calendar (its province's
holidays, swapped days and make-up Saturdays, its office hours):

- N working days after the meeting: the close of the N-th working day after the meeting's day
  (the day of the meeting does not count, as a period in days starts the day after the event,
  Civil Code 2015 Art. 147). A meeting on Fri 26/04/2024 with 5 working days ends at 17:00 on
  Tue 07/05/2024: 27/04–01/05 are the 30/4–1/5 break (§7.2) and the make-up Saturday 04/05
  counts where make-up days count (MOTCUA_CLOCK["MAKE_UP_DAYS_COUNT"]).
- a date: the close of office of that day, which must be a working day.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.core.clock import LOCAL_TZ, ClockError, WorkingCalendar
from motcua.directives.errors import InvalidInput
from motcua.lib.formatting import format_date


def close_of_day(calendar: WorkingCalendar, day: date) -> datetime:
    """The end of the last office session of ``day`` (17:00 with the default hours)."""
    return datetime.combine(day, calendar.office_hours.sessions[-1].end, LOCAL_TZ)


def deadline_after(
    calendar: WorkingCalendar, held_on: date, working_days: int, *, field: str = "working_days"
) -> datetime:
    """The close of the ``working_days``-th working day after the meeting day ``held_on``."""
    if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 1:
        raise InvalidInput(
            _("the number of working days must be a whole number of at least 1"), field=field
        )
    try:
        # The close of the meeting day has the ordinal of the end of that day's work (or, on
        # a day off, of the next working day's start), so N days later is the N-th day's close.
        return calendar.add_working_days(close_of_day(calendar, held_on), working_days)
    except ClockError as error:
        raise InvalidInput(str(error), field=field) from None


def deadline_on(calendar: WorkingCalendar, day: date, *, field: str = "deadline") -> datetime:
    """The close of office of ``day``; refused when ``day`` is not a working day."""
    try:
        working = calendar.is_working_day(day)
    except ClockError as error:
        raise InvalidInput(str(error), field=field) from None
    if not working:
        info = calendar.day_info(day)
        english = (get_language() or "vi").startswith("en")
        name = (info.name_en or info.name) if english else info.name
        reason = f" ({name})" if name else ""
        raise InvalidInput(
            _("%(day)s%(reason)s is not a working day; choose a working day")
            % {"day": format_date(day), "reason": reason},
            field=field,
        )
    return close_of_day(calendar, day)


def remind_until(calendar: WorkingCalendar, at: datetime, working_days: int) -> datetime:
    """The latest deadline that is reminded at ``at``: the close of the ``working_days``-th
    working day after ``at``'s day (0: the close of ``at``'s own day)."""
    local_day = at.astimezone(LOCAL_TZ).date()
    close = close_of_day(calendar, local_day)
    if working_days <= 0:
        return close
    return calendar.add_working_days(close, working_days)
