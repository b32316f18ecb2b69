"""``motcua clock``: the statutory clock from the command line.

motcua clock due --from "2025-01-24 16:30" --days 5        due moment and why
motcua clock due --from "24/01/2025 18:10" --hours 8 --submitted --lang en
motcua clock year 2026                                     days off and make-up days
motcua clock check "2025-01-29 09:00"                      working time? next working moment
motcua clock between "2025-01-24 16:30" "2025-02-07 16:30" working time between
motcua clock load-official                                 official overrides into the database
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.clock import rendering
from motcua.clock.selectors import calendar_for
from motcua.clock.services import load_official_overrides
from motcua.core import clock as core
from motcua.lib.formatting import format_number
from motcua.lib.parsing import parse_moment as lib_parse_moment
from motcua.units.models import AdministrativeUnit


def parse_moment(text: str, place: str) -> datetime:
    """'2025-01-24 16:30' or '24/01/2025 16:30', local time (Asia/Ho_Chi_Minh)."""
    try:
        return lib_parse_moment(text, core.LOCAL_TZ)
    except ValueError:
        raise CommandError(
            _(
                "%(place)s: %(value)r is not a date and time like 2025-01-24 16:30 or 24/01/2025 16:30"  # noqa: E501 (one msgid)
            )
            % {"place": place, "value": text}
        ) from None


def parse_amount(text: str, place: str, *, whole: bool = False) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise CommandError(
            _("%(place)s: %(value)r is not a number") % {"place": place, "value": text}
        )
    if value <= 0:
        raise CommandError(
            _("%(place)s: a time limit must be greater than zero, got %(value)s")
            % {"place": place, "value": text}
        )
    if whole and value != value.to_integral_value():
        raise CommandError(
            _("%(place)s: must be a whole number of days, got %(value)s")
            % {"place": place, "value": text}
        )
    return value


class Command(BaseCommand):
    help = "The statutory working-time clock: due dates, the year's days off, working time."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def common(command: CommandParser) -> None:
            command.add_argument(
                "--unit", help="administrative unit code (its province's calendar)"
            )
            command.add_argument("--lang", default="vi", help="vi (default) or en")

        due = sub.add_parser("due", help="due moment of a time limit, and why")
        due.add_argument("--from", dest="start", required=True, help='"YYYY-MM-DD HH:MM"')
        limit = due.add_mutually_exclusive_group(required=True)
        limit.add_argument("--days", help="working days")
        limit.add_argument("--hours", help="working hours")
        limit.add_argument("--calendar-days", dest="calendar_days", help="calendar days")
        due.add_argument(
            "--submitted", action="store_true", help="apply the receipt rule to --from first"
        )
        common(due)

        year = sub.add_parser("year", help="non-working days and make-up days of a year")
        year.add_argument("year")
        common(year)

        check = sub.add_parser("check", help="is a moment working time")
        check.add_argument("moment")
        common(check)

        between = sub.add_parser("between", help="working time between two moments")
        between.add_argument("first")
        between.add_argument("second")
        common(between)

        sub.add_parser("load-official", help="load the official overrides (idempotent)")

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options.get("lang") or "vi"
        if lang not in ("vi", "en"):
            raise CommandError(f"--lang: {lang!r} is not vi or en")
        with translation.override(lang):
            action = options["action"]
            if action == "load-official":
                count = load_official_overrides()
                self.stdout.write(_("Official overrides loaded: %(n)s") % {"n": count})
                return
            calendar = calendar_for(self._unit(options.get("unit")))
            try:
                getattr(self, "_" + action)(calendar, options)
            except core.ClockError as error:
                place = {"year": "YEAR", "check": "MOMENT"}.get(action)
                place = place or {"first": "FIRST", "second": "SECOND"}.get(error.place, "")
                raise CommandError(f"{place}: {error.message}") from None

    def _unit(self, code: str | None) -> AdministrativeUnit | None:
        if not code:
            return None
        units = AdministrativeUnit.objects.filter(code=code.strip()).order_by("-valid_from")
        unit = next((u for u in units if u.valid_to is None), None) or units.first()
        if unit is None:
            raise CommandError(
                _("--unit: no administrative unit has the code %(code)r") % {"code": code}
            )
        return unit

    def _due(self, calendar: core.WorkingCalendar, options: dict[str, Any]) -> None:
        start = parse_moment(options["start"], "--from")
        if options["days"] is not None:
            amount = parse_amount(options["days"], "--days")
            unit, place = core.LimitUnit.WORKING_DAYS, "--days"
        elif options["hours"] is not None:
            amount = parse_amount(options["hours"], "--hours")
            unit, place = core.LimitUnit.WORKING_HOURS, "--hours"
        else:
            amount = parse_amount(options["calendar_days"], "--calendar-days", whole=True)
            unit, place = core.LimitUnit.CALENDAR_DAYS, "--calendar-days"
        try:
            explanation = calendar.explain_due(start, amount, unit, submitted=options["submitted"])
        except core.ClockError as error:
            where = "--from" if error.place in ("start", "submitted_at", "moment") else place
            raise CommandError(f"{where}: {error.message}") from None
        for line in rendering.explanation_lines(explanation):
            self.stdout.write(line)

    def _year(self, calendar: core.WorkingCalendar, options: dict[str, Any]) -> None:
        text = options["year"].strip()
        if not text.isdigit():
            raise CommandError(_("YEAR: %(value)r is not a year") % {"value": options["year"]})
        year = int(text)
        days = calendar.year(year)
        off = [info for info in days if not info.working]
        worked = [info for info in days if info.working]
        self.stdout.write(_("Non-working days in %(year)s:") % {"year": year})
        for info in off:
            self.stdout.write(f"  {rendering.day_label(info.day)}: {rendering.reason(info)}")
        self.stdout.write(_("Make-up and other working days in %(year)s:") % {"year": year})
        if not worked:
            self.stdout.write("  " + _("none"))
        for info in worked:
            self.stdout.write(f"  {rendering.day_label(info.day)}: {rendering.reason(info)}")
        self.stdout.write(
            _("Working days for deadlines: %(n)s")
            % {"n": format_number(calendar.working_days_in(year))}
        )

    def _check(self, calendar: core.WorkingCalendar, options: dict[str, Any]) -> None:
        moment = parse_moment(options["moment"], "MOMENT")
        info = calendar.day_info(moment.date())
        if calendar.is_working_time(moment):
            self.stdout.write(
                _("%(moment)s: working time") % {"moment": rendering.moment_label(moment)}
            )
            return
        why = rendering.reason(info)
        if info.working:
            why = _("office hours %(hours)s") % {"hours": calendar.office_hours}
        self.stdout.write(
            _("%(moment)s: not working time (%(reason)s)")
            % {"moment": rendering.moment_label(moment), "reason": why}
        )
        self.stdout.write(
            _("Next working moment: %(moment)s")
            % {"moment": rendering.moment_label(calendar.next_working_moment(moment))}
        )

    def _between(self, calendar: core.WorkingCalendar, options: dict[str, Any]) -> None:
        first = parse_moment(options["first"], "FIRST")
        second = parse_moment(options["second"], "SECOND")
        span = calendar.between(first, second)
        self.stdout.write(
            _("Working time from %(first)s to %(second)s: %(days)s = %(hours)s")
            % {
                "first": rendering.moment_label(first),
                "second": rendering.moment_label(second),
                "days": rendering.limit_label(span.days, core.LimitUnit.WORKING_DAYS),
                "hours": rendering.limit_label(span.hours, core.LimitUnit.WORKING_HOURS),
            }
        )
