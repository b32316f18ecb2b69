"""``motcua report``: a unit's figures for a period, and what keeps them right.

motcua report [show] --unit 058 --from 01/01/2024 --to 22/05/2024 [--format F] [--drill X]
motcua report verify --unit 058 (--from/--to | --period)   # ledger == dossiers, exactly
motcua report rebuild [--unit 058]                          # rewrite the ledger
motcua report compact [--full]                              # fold rows, take checkpoints
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core import metrics
from motcua.core.periods import parse_named_period
from motcua.dossiers.figures import ledger_differences, ledger_rebuild
from motcua.dossiers.ledger_checkpoints import (
    checkpoint_differences,
    checkpoints_take,
    ledger_compact,
    month_differences,
    months_take,
)
from motcua.dossiers.tally import tally_compact, tally_differences, tally_rebuild
from motcua.lib.formatting import format_date, format_datetime
from motcua.lib.http import BadParameter, date_parameter
from motcua.reports.briefing import briefing, steering_facts
from motcua.reports.pdf import write_form_06a_pdf
from motcua.reports.rendering import report_data, report_text
from motcua.reports.selectors import (
    Bucket,
    Measure,
    report_drill_down,
    report_for,
    report_recomputed,
    report_rows,
)
from motcua.reports.services import SignoffError, report_restate, report_sign
from motcua.reports.signatures import report_compare, signed_report_get, signed_report_verify
from motcua.reports.xlsx import write_form_06a
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import UnitNotFound, lineage_ids, unit_at

ACTIONS = ("show", "verify", "rebuild", "compact", "sign", "restate", "signed")
FORMATS = ("text", "json", "briefing", "xlsx", "pdf")
FILE_FORMATS = ("xlsx", "pdf")


class Command(BaseCommand):
    help = "A unit's figures for a period (dates or a Decree 09/2019 period), or their dossiers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            default="show",
            choices=ACTIONS,
            help="show (default): the figures; verify: recompute them from the dossiers and "
            "compare; rebuild: rewrite the figures' ledger from the dossiers; compact: fold "
            "the ledger's rows and take the checkpoints of closed years; sign: a leader "
            "signs the period's figures off; restate: record what changed since, and why; "
            "signed: the signed figures against today's",
        )
        parser.add_argument("--user", help="who signs or restates (username)")
        parser.add_argument("--note", default="", help="a note with the signature")
        parser.add_argument("--reason", default="", help="why the figures are restated")
        parser.add_argument("--unit", help="unit code, e.g. 058")
        parser.add_argument("--from", dest="start", help="first day, dd/mm/yyyy")
        parser.add_argument("--to", dest="end", help="last day, dd/mm/yyyy")
        parser.add_argument(
            "--period", help="month:2024-05, quarter:2024-2, half:2024, nine:2024 or year:2024"
        )
        parser.add_argument(
            "--format", default="text", help="text (default), json, briefing, xlsx or pdf"
        )
        parser.add_argument("--output", help="the file to write (xlsx, pdf)")
        parser.add_argument(
            "--by", default="unit", help="form II.06a rows: unit (default) or field"
        )
        parser.add_argument(
            "--drill", help="list the dossiers behind one figure, e.g. resolved_late"
        )
        parser.add_argument(
            "--full", action="store_true", help="compact: read every ledger row, not only new ones"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            self._rebuild(options)
            return
        if options["action"] == "compact":
            self._compact(options)
            return
        period = self._period(options)
        unit = self._unit(options, period)
        if options["action"] == "verify":
            self._verify(unit, period)
            return
        if options["action"] in ("sign", "restate", "signed"):
            self._signoff(unit, period, options)
            return
        output = options["format"]
        if output not in FORMATS:
            raise CommandError(
                _("--format: %(value)r is not one of %(allowed)s")
                % {"value": output, "allowed": ", ".join(FORMATS)}
            )
        if output in FILE_FORMATS:
            self._file(unit, period, options)
            return
        if options["drill"]:
            self._drill(unit, period, options)
            return
        report = report_for(unit, period)
        if output == "json":
            self.stdout.write(json.dumps(report_data(report), ensure_ascii=False, indent=2))
        elif output == "briefing":
            self.stdout.write(briefing(report, steering_facts(unit, period.end)))
        else:
            self.stdout.write(report_text(report))

    def _unit(self, options: dict[str, Any], period: metrics.Period) -> AdministrativeUnit:
        if not options["unit"]:
            raise CommandError(_("--unit: the unit's code is required, e.g. --unit 058"))
        try:
            return unit_at(options["unit"], period.end)
        except UnitNotFound as error:
            raise CommandError(f"--unit: {error}") from None

    def _drill(
        self, unit: AdministrativeUnit, period: metrics.Period, options: dict[str, Any]
    ) -> None:
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

    def _file(
        self, unit: AdministrativeUnit, period: metrics.Period, options: dict[str, Any]
    ) -> None:
        kind = options["format"]
        if options["by"] not in ("unit", "field"):
            raise CommandError(_("--by: %(value)r is not unit or field") % {"value": options["by"]})
        if not options["output"]:
            raise CommandError(
                _("--output: the %(kind)s file to write is required") % {"kind": kind}
            )
        path = Path(options["output"])
        if path.suffix.lower() != f".{kind}" or not path.parent.is_dir():
            raise CommandError(
                _("--output: %(path)s is not a .%(kind)s file in an existing folder")
                % {"path": path, "kind": kind}
            )
        write = write_form_06a if kind == "xlsx" else write_form_06a_pdf
        write(path, report_for(unit, period), report_rows(unit, period, options["by"]))
        self.stdout.write(_("Form II.06a written to %(path)s") % {"path": path})

    def _verify(self, unit: AdministrativeUnit, period: metrics.Period) -> None:
        fast, slow = report_for(unit, period), report_recomputed(unit, period)
        both = [(b.value, fast.totals[b], slow.totals[b]) for b in Bucket] + [
            (m.value, fast.measures[m], slow.measures[m]) for m in Measure
        ]
        wrong = [(name, a, b) for name, a, b in both if a != b]
        for name, a, b in wrong:
            self.stdout.write(
                _("%(figure)s: ledger %(fast)s, dossiers %(slow)s")
                % {"figure": name, "fast": a, "slow": b}
            )
        rows = ledger_differences(lineage_ids(unit))
        ordered = sorted(rows.items(), key=lambda item: (item[0][0], item[0][1], item[0][3]))
        for (unit_id, field_id, figure, day), (stored, expected) in ordered[:20]:
            self.stdout.write(
                _("ledger row unit %(unit)s, field %(field)s, %(figure)s on %(day)s: "
                  "stored %(stored)s, dossiers give %(expected)s")
                % {"unit": unit_id, "field": field_id or "*", "figure": figure.value,
                   "day": format_date(day), "stored": stored, "expected": expected}
            )  # fmt: skip
        checkpoints = checkpoint_differences(lineage_ids(unit))
        codes = dict(
            AdministrativeUnit.objects.filter(pk__in={c.unit_id for c in checkpoints}).values_list(
                "pk", "code"
            )
        )
        for found in checkpoints[:20]:
            self.stdout.write(
                _("checkpoint of unit %(unit)s, field %(field)s, %(figure)s at the end of "
                  "%(year)s: stored %(stored)s, the ledger's days give %(expected)s")
                % {"unit": codes.get(found.unit_id, found.unit_id), "field": found.field_id or "*",
                   "figure": found.figure, "year": found.year, "stored": found.stored,
                   "expected": found.expected}
            )  # fmt: skip
        months = month_differences(lineage_ids(unit))
        codes.update(
            AdministrativeUnit.objects.filter(pk__in={m.unit_id for m in months}).values_list(
                "pk", "code"
            )
        )
        for month in months[:20]:
            self.stdout.write(
                _("rollup of unit %(unit)s, field %(field)s, %(figure)s for "
                  "%(days)s: stored %(stored)s, the ledger's days give %(expected)s")
                % {"unit": codes.get(month.unit_id, month.unit_id), "field": month.field_id or "*",
                   "figure": month.figure,
                   "days": f"{format_date(month.month)}–{format_date(month.last_day)}",
                   "stored": month.stored, "expected": month.expected}
            )  # fmt: skip
        tally = tally_differences(lineage_ids(unit))
        codes.update(
            AdministrativeUnit.objects.filter(pk__in={key[0] for key in tally}).values_list(
                "pk", "code"
            )
        )
        for (unit_id, user_id, day), (stored, expected) in sorted(
            tally.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2])
        )[:20]:
            self.stdout.write(
                _("pending tally of unit %(unit)s, officer %(officer)s, due %(day)s: stored "
                  "%(stored)s, the dossiers give %(expected)s")
                % {"unit": codes.get(unit_id, unit_id), "officer": user_id or "-",
                   "day": format_date(day), "stored": stored, "expected": expected}
            )  # fmt: skip
        if wrong or rows or checkpoints or months or tally:
            raise CommandError(
                _("the figures' ledger disagrees with the dossiers (%(n)s figures, %(rows)s "
                  "ledger rows, %(checkpoints)s checkpoints, %(months)s rollups, "
                  "%(tally)s pending tally rows); `motcua report rebuild` rewrites it")
                % {"n": len(wrong), "rows": len(rows), "checkpoints": len(checkpoints),
                   "months": len(months), "tally": len(tally)}
            )  # fmt: skip
        self.stdout.write(
            _("All %(n)s figures agree: the ledger and the dossiers give the same numbers.")
            % {"n": len(both)}
        )

    def _signoff(
        self, unit: AdministrativeUnit, period: metrics.Period, options: dict[str, Any]
    ) -> None:
        action = options["action"]
        try:
            if action == "sign":
                signed = report_sign(
                    unit=unit,
                    period=period,
                    actor=self._user(options),
                    note=options["note"],
                    period_name=options["period"] or "",
                )
                self.stdout.write(
                    _("Signed by %(name)s at %(at)s; figures hash %(hash)s")
                    % {
                        "name": signed.signed_by_name,
                        "at": format_datetime(timezone.localtime(signed.signed_at)),
                        "hash": signed.figures_hash[:16],
                    }
                )
                return
            found = signed_report_get(unit=unit, period=period)
            if found is None:
                raise CommandError(_("--from, --to: this period of this unit is not signed"))
            if action == "restate":
                restatement = report_restate(
                    signed=found, actor=self._user(options), reason=options["reason"]
                )
                for change in restatement.changes:
                    self.stdout.write(f"{change['figure']}: {change['before']} → {change['after']}")
                return
        except SignoffError as error:
            raise CommandError(str(error)) from None
        for item in report_compare(found):
            mark = "≠" if item.changed else "="
            self.stdout.write(f"{item.figure}: {item.signed} {mark} {item.live}")
        for problem in signed_report_verify(found):
            self.stdout.write(problem)

    def _user(self, options: dict[str, Any]) -> User:
        if not options["user"]:
            raise CommandError(_("--user: who signs is required (a username)"))
        try:
            return User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(_("--user: no user %(name)r") % {"name": options["user"]}) from None

    def _rebuild(self, options: dict[str, Any]) -> None:
        ids = None
        if options["unit"]:
            # Any unit that had the code, merged away since or not.
            unit = (
                AdministrativeUnit.objects.filter(code=options["unit"])
                .order_by("-valid_from")
                .first()
            )
            if unit is None:
                raise CommandError(
                    _("--unit: no unit has the code %(code)r") % {"code": options["unit"]}
                )
            ids = lineage_ids(unit)
        rows = ledger_rebuild(ids)  # its checkpoints too
        tally = tally_rebuild(ids)
        self.stdout.write(
            _("The figures' ledger was rewritten: %(n)s rows; the pending tally: %(t)s rows.")
            % {"n": rows, "t": tally}
        )

    def _compact(self, options: dict[str, Any]) -> None:
        folded = ledger_compact(full=options["full"])
        months_take()  # the rollups of the closed half-months and their blocks, as the worker does
        years = checkpoints_take()
        tally_compact(timezone.now())
        self.stdout.write(
            _("The figures' ledger was compacted: %(n)s rows folded away; checkpoints taken "
              "for %(years)s.")
            % {"n": folded, "years": ", ".join(map(str, years)) or "-"}
        )  # fmt: skip

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
                days.append(date_parameter(option, value))
            except BadParameter as error:  # the web's message, in Vietnamese
                raise CommandError(error.message) from None
        try:
            return metrics.Period(days[0], days[1])
        except ValueError as error:
            raise CommandError(f"--to: {error}") from None
