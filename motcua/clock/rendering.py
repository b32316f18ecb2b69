"""Words for the clock's results, in the active language (Vietnamese by default).

Used by the ``motcua clock`` command and by anything that shows a due date to people
(receipts, dossier pages): "Bỏ qua: Thứ Bảy 25/01/2025 (nghỉ cuối tuần)".
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from motcua.core import clock as core
from motcua.lib.formatting import format_date, format_number


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def weekday(day: date) -> str:
    names = (
        pgettext("weekday", "Monday"),
        pgettext("weekday", "Tuesday"),
        pgettext("weekday", "Wednesday"),
        pgettext("weekday", "Thursday"),
        pgettext("weekday", "Friday"),
        pgettext("weekday", "Saturday"),
        pgettext("weekday", "Sunday"),
    )
    return names[day.weekday()]


def day_label(day: date) -> str:
    """'Thứ Bảy 25/01/2025'."""
    return f"{weekday(day)} {format_date(day)}"


def moment_label(moment: datetime) -> str:
    """'16:30 Thứ Sáu 24/01/2025', in local time."""
    local = moment.astimezone(core.LOCAL_TZ)
    return f"{local:%H:%M} {day_label(local.date())}"


def number_label(value: Fraction) -> str:
    """5 → '5'; 1/2 → '0,5'; 7/3 → '2,33' (Vietnamese decimal comma)."""
    if value.denominator == 1:
        return format_number(value)
    text = format_number(value, 2).rstrip("0")
    return text.rstrip(",")


def limit_label(amount: Fraction, unit: core.LimitUnit) -> str:
    """'5 ngày làm việc' (also for spans, which may be zero or negative)."""
    count = 1 if abs(amount) == 1 else 2
    number = number_label(amount)
    if unit is core.LimitUnit.WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", count) % {"n": number}
    if unit is core.LimitUnit.WORKING_HOURS:
        return ngettext("%(n)s working hour", "%(n)s working hours", count) % {"n": number}
    return ngettext("%(n)s calendar day", "%(n)s calendar days", count) % {"n": number}


def reason(info: core.DayInfo) -> str:
    """Why a date is (not) a working day, with the legal reference of an override."""
    kind = core.DayKind
    if info.kind is kind.WEEKEND:
        return _("weekend")
    if info.kind is kind.WORKDAY:
        return _("working day")
    if info.kind is kind.SWAPPED_DAY_OFF and info.swapped_with is not None:
        return _("day off swapped for the make-up day %(day)s") % {
            "day": day_label(info.swapped_with)
        }
    name = info.name_en if _english() and info.name_en else info.name
    if info.kind is kind.MAKE_UP_DAY and not info.legal_ref:
        name = _("make-up working day")
        if info.swapped_with is not None:
            name = _("make-up working day for %(day)s") % {"day": day_label(info.swapped_with)}
    if info.kind is kind.MAKE_UP_DAY and not info.working:
        name = _("%(name)s, not counted for deadlines") % {"name": name}
    if info.legal_ref:
        return f"{name} — {info.legal_ref}"
    return name


def explanation_lines(explanation: core.DueExplanation) -> list[str]:
    """The due moment and, line by line, what was skipped and which make-up days counted."""
    lines = [_("Due: %(moment)s") % {"moment": moment_label(explanation.due)}]
    if explanation.submitted_at is not None:
        lines.append(
            _("Submitted: %(submitted)s; official receipt: %(received)s")
            % {
                "submitted": moment_label(explanation.submitted_at),
                "received": moment_label(explanation.start),
            }
        )
    lines.append(
        _("Time limit: %(limit)s from %(start)s")
        % {
            "limit": limit_label(explanation.amount, explanation.unit),
            "start": moment_label(explanation.start),
        }
    )
    if explanation.nominal_end is not None and explanation.skipped:
        lines.append(
            _("The limit ends on %(day)s, a non-working day: moved to the next working day.")
            % {"day": day_label(explanation.nominal_end)}
        )
    for info in explanation.skipped:
        lines.append(
            _("Skipped: %(day)s (%(reason)s)")
            % {"day": day_label(info.day), "reason": reason(info)}
        )
    for info in explanation.make_up_counted:
        lines.append(
            _("Counted: %(day)s (%(reason)s)")
            % {"day": day_label(info.day), "reason": reason(info)}
        )
    return lines
