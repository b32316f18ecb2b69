"""``motcua report``: a unit's figures for a period, as text or JSON, and drill-downs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.core import metrics
from motcua.core.periods import parse_named_period
from motcua.lib.parsing import parse_date
from motcua.reports.rendering import report_data, report_text
from motcua.reports.selectors import Bucket, report_drill_down, report_for, report_rows
from motcua.reports.xlsx import write_form_06a
from motcua.units.selectors import UnitNotFound, unit_at


class Command(BaseCommand):
    help = "A unit's figures for a period (dates or a Decree 09/2019 period), or their dossiers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="unit code, e.g. 058")
        parser.add_argument("--from", dest="start", help="first day, dd/mm/yyyy")
        parser.add_argument("--to", dest="end", help="last day, dd/mm/yyyy")
        parser.add_argument(
            "--period", help="month:2024-05, quarter:2024-2, half:2024, nine:2024 or year:2024"
        )
        parser.add_argument("--format", default="text", help="text (default), json or xlsx")
        parser.add_argument("--output", help="the file to write (xlsx)")
        parser.add_argument(
            "--by", default="unit", help="form II.06a rows: unit (default) or field"
        )
        parser.add_argument(
            "--drill", help="list the dossiers behind one figure, e.g. resolved_late"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        period = self._period(options)
        try:
            unit = unit_at(options["unit"], period.end)
        except UnitNotFound as error:
            raise CommandError(f"--unit: {error}") from None
        if options["format"] not in ("text", "json", "xlsx"):
            raise CommandError(
                _("--format: %(value)r is not text, json or xlsx") % {"value": options["format"]}
            )
        if options["format"] == "xlsx":
            self._xlsx(unit, period, options)
            return
        if options["drill"]:
            try:
                bucket = Bucket(options["drill"])
            except ValueError:
                raise CommandError(
                    _("--drill: %(value)r is not one of %(allowed)s")
                    % {"value": options["drill"], "allowed": ", ".join(b.value for b in Bucket)}
                ) from None
            codes = report_drill_down(unit, period, bucket)
            if options["format"] == "json":
                self.stdout.write(json.dumps({"figure": bucket.value, "dossiers": codes}))
            else:
                self.stdout.write("\n".join([*codes, _("%(n)s dossiers") % {"n": len(codes)}]))
            return
        report = report_for(unit, period)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report_data(report), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report_text(report))

    def _xlsx(self, unit: Any, period: metrics.Period, options: dict[str, Any]) -> None:
        if options["by"] not in ("unit", "field"):
            raise CommandError(_("--by: %(value)r is not unit or field") % {"value": options["by"]})
        if not options["output"]:
            raise CommandError(_("--output: the xlsx file to write is required"))
        path = Path(options["output"])
        if path.suffix.lower() != ".xlsx" or not path.parent.is_dir():
            raise CommandError(
                _("--output: %(path)s is not an .xlsx file in an existing folder") % {"path": path}
            )
        write_form_06a(path, report_for(unit, period), report_rows(unit, period, options["by"]))
        self.stdout.write(_("Form II.06a written to %(path)s") % {"path": path})

    def _period(self, options: dict[str, Any]) -> metrics.Period:
        cutoff = int(getattr(settings, "MOTCUA_REPORTS", {}).get("CUTOFF_DAY", 15))
        if options["period"]:
            if options["start"] or options["end"]:
                raise CommandError(_("--period: give either --period or --from and --to"))
            try:
                return parse_named_period(options["period"], cutoff_day=cutoff)
            except ValueError as error:
                raise CommandError(f"--period: {error}") from None
        if not (options["start"] and options["end"]):
            raise CommandError(_("--from, --to: both are required (or --period)"))
        days = []
        for option, value in (("--from", options["start"]), ("--to", options["end"])):
            try:
                days.append(parse_date(value))
            except ValueError as error:
                raise CommandError(f"{option}: {error}") from None
        try:
            return metrics.Period(days[0], days[1])
        except ValueError as error:
            raise CommandError(f"--to: {error}") from None
