"""``motcua steering``: the steering committee's indicators and Project 06 working groups.

motcua steering indicators --unit 058 --on 22/05/2024 [--from 01/01/2024]
motcua steering import FILE --unit 058 --user lanhdao.thanhpho
motcua steering target digitisation --unit 058 --year 2024 --value 100 [--ref "QĐ …"]
motcua steering snapshots --on 22/05/2024
motcua steering groups --unit 058 [--on 22/05/2024]
motcua steering definitions
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.lib.formatting import format_date, format_number
from motcua.lib.parsing import parse_date
from motcua.lib.tablefile import FileFormatError, read_file_bytes
from motcua.steering.access import user_may_record_indicators
from motcua.steering.errors import ImportRefused, SteeringError
from motcua.steering.models import IndicatorDefinition
from motcua.steering.selectors import (
    indicator_table,
    target_text,
    unit_by_code,
    working_group_counts,
)
from motcua.steering.services import (
    indicator_definitions_load,
    indicator_snapshots_take,
    indicator_target_set,
    indicator_values_import,
)
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import UnitNotFound


def _date(value: str | None, option: str) -> date:
    if not value:
        return timezone.localdate()
    try:
        return parse_date(value)
    except ValueError:
        raise CommandError(
            _("%(option)s: %(value)s is not a date (dd/mm/yyyy)")
            % {"option": option, "value": value}
        ) from None


def _unit(code: str, on: date) -> AdministrativeUnit:
    try:
        return unit_by_code(code.strip(), on)
    except UnitNotFound:
        raise CommandError(
            _("--unit: there is no administrative unit with code %(code)s") % {"code": code}
        ) from None


class Command(BaseCommand):
    help = _("Steering committee: indicators, imports, targets, snapshots, working groups.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("indicators", help=_("a unit's indicators as of a day"))
        p.add_argument("--unit", required=True, help=_("unit code, e.g. 058"))
        p.add_argument("--on", help=_("dd/mm/yyyy (default: today)"))
        p.add_argument(
            "--from",
            dest="start",
            help=_("start of the period of computed indicators (default: 1 January)"),
        )
        p = sub.add_parser(
            "import", help=_("import a .csv or .xlsx file of values (all or nothing)")
        )
        p.add_argument("file")
        p.add_argument("--unit", required=True, help=_("unit code, e.g. 058"))
        p.add_argument("--user", required=True, help=_("user name of the person recording"))
        p = sub.add_parser("target", help=_("set the province's target for a unit and a year"))
        p.add_argument("code", help=_("indicator code, e.g. digitisation"))
        p.add_argument("--unit", required=True, help=_("unit code, e.g. 058"))
        p.add_argument("--year", required=True, type=int)
        p.add_argument(
            "--value", required=True, help=_("a percentage for a rate, a number for a count")
        )
        p.add_argument("--ref", default="", help=_("the decision that sets it"))
        p = sub.add_parser("snapshots", help=_("store the computed indicators for a period end"))
        p.add_argument("--on", help=_("dd/mm/yyyy (default: today)"))
        p = sub.add_parser("groups", help=_("Project 06 working groups and members by level"))
        p.add_argument("--unit", required=True, help=_("unit code, e.g. 058"))
        p.add_argument("--on", help=_("dd/mm/yyyy (default: today)"))
        sub.add_parser("definitions", help=_("load the shipped definitions and list them"))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(options)
        except SteeringError as error:
            where = f"--{error.field}: " if error.field else ""
            raise CommandError(where + error.message) from None

    def do_indicators(self, options: dict[str, Any]) -> None:
        on = _date(options["on"], "--on")
        start = _date(options["start"], "--from") if options["start"] else None
        if start is not None and start > on:
            raise CommandError(
                _("--from: %(start)s is after --on %(on)s")
                % {"start": format_date(start), "on": format_date(on)}
            )
        unit = _unit(options["unit"], on)
        self.stdout.write(
            _("Indicators of %(unit)s (%(code)s) as of %(date)s")
            % {"unit": unit.name, "code": unit.code, "date": format_date(on)}
        )
        computed = _("computed")
        for row in indicator_table(unit, on, start=start, history_limit=0):
            line = f"- {row.definition.name}: "
            if row.numerator is None:
                line += _("no value recorded")
            else:
                line += row.text
                if row.definition.is_computed:
                    line += f" [{computed}]"
                elif row.as_of is not None:
                    line += " " + _("(as of %(date)s)") % {"date": format_date(row.as_of)}
            if row.target is not None:
                verdict = {True: _("met"), False: _("not met"), None: "–"}[row.met]
                line += "; " + _("province's target %(target)s: %(verdict)s") % {
                    "target": row.target_text,
                    "verdict": verdict,
                }
            self.stdout.write(line)

    def do_import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        unit = _unit(options["unit"], timezone.localdate())
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("--user: no user is named %(name)s") % {"name": options["user"]})
        if not user_may_record_indicators(user, unit):
            raise CommandError(
                _("--user: %(name)s may not record indicators for %(unit)s")
                % {"name": user.username, "unit": unit.name}
            )
        try:
            # The size is checked before the bytes are read (settings.MOTCUA_IMPORT).
            data = read_file_bytes(path)
        except FileFormatError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            report = indicator_values_import(data=data, name=path.name, unit=unit, entered_by=user)
        except ImportRefused as exc:
            lines = [
                _("%(file)s was not imported (%(count)s errors); no value was recorded:")
                % {"file": path, "count": format_number(len(exc.errors))}
            ]
            lines += [f"  {error}" for error in exc.errors]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            _(
                "%(rows)s rows: %(recorded)s values recorded (of which %(corrected)s "
                "corrections), %(unchanged)s unchanged."
            )
            % {
                "rows": format_number(report.rows),
                "recorded": format_number(report.recorded),
                "corrected": format_number(report.corrected),
                "unchanged": format_number(report.unchanged),
            }
        )

    def do_target(self, options: dict[str, Any]) -> None:
        definition = IndicatorDefinition.objects.filter(code=options["code"]).first()
        if definition is None:
            raise CommandError(
                _("no indicator has the code “%(code)s” (known codes: %(codes)s)")
                % {
                    "code": options["code"],
                    "codes": ", ".join(IndicatorDefinition.objects.values_list("code", flat=True)),
                }
            )
        year = options["year"]
        # The unit as it was at the end of the target's year (the service refuses odd years).
        unit = _unit(
            options["unit"], date(year, 12, 31) if 2000 <= year <= 2100 else timezone.localdate()
        )
        try:
            target = indicator_target_set(
                definition=definition,
                unit=unit,
                year=year,
                value=options["value"],
                legal_ref=options["ref"],
            )
        except SteeringError as error:
            raise CommandError(f"--{error.field}: {error.message}") from None
        self.stdout.write(
            _("Target of %(unit)s for %(year)s: %(name)s %(target)s.")
            % {
                "unit": unit.name,
                "year": target.year,
                "name": definition.name,
                "target": target_text(definition, target),
            }
        )

    def do_snapshots(self, options: dict[str, Any]) -> None:
        on = _date(options["on"], "--on")
        written = indicator_snapshots_take(on=on)
        self.stdout.write(
            _("%(count)s snapshots stored for the period ending %(date)s.")
            % {"count": format_number(written), "date": format_date(on)}
        )

    def do_groups(self, options: dict[str, Any]) -> None:
        on = _date(options["on"], "--on")
        unit = _unit(options["unit"], on)
        counts = working_group_counts(unit)
        self.stdout.write(
            _("Project 06 working groups of %(unit)s (%(code)s)")
            % {"unit": unit.name, "code": unit.code}
        )
        for count in counts:
            self.stdout.write(f"- {count.label}: {count.text}")
        self.stdout.write(
            _("Total: %(groups)s groups / %(members)s members")
            % {
                "groups": format_number(sum(c.groups for c in counts)),
                "members": format_number(sum(c.members for c in counts)),
            }
        )

    def do_definitions(self, options: dict[str, Any]) -> None:
        changed = indicator_definitions_load()
        for definition in IndicatorDefinition.objects.all():
            self.stdout.write(
                f"{definition.code:<26} {definition.get_kind_display():<24} {definition.name}"
            )
        self.stdout.write(
            _("%(count)s definitions created or updated.") % {"count": format_number(changed)}
        )
