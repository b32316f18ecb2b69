"""``motcua sync national``: synchronise with the National Public Service Portal (docs/national.md).

motcua sync national [--once] [--limit N]          read the feed, send what waits (one pass
                                                   with --once; else until drained)
motcua sync national status                        records, waiting, failing
motcua sync national reconcile [--date dd/mm/yyyy] list every difference (missing, stale, extra)
motcua sync national resync --code X [--code Y]    repair those dossiers
motcua sync national resync --all-differences      repair what the last reconciliation listed
motcua sync national catalog --diff [--from dd/mm/yyyy]    the national catalogue against ours
motcua sync national catalog --apply [--from dd/mm/yyyy]   create the new versions

Off by default (MOTCUA_NATIONAL_ENABLED): a disabled sync says so and exits 0.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.services import CatalogImportError
from motcua.lib.formatting import format_count
from motcua.national.choices import Difference
from motcua.national.client import NationalError
from motcua.national.mapping import UnmappedStatus
from motcua.national.selectors import failing_records, national_config, sync_status
from motcua.national.services import (
    national_catalog_apply,
    national_catalog_diff,
    national_reconcile,
    national_resync,
    national_sync,
)


def _day(text: str, option: str) -> date:
    try:
        day, month, year = (int(p) for p in text.split("/"))
        return date(year, month, day)
    except ValueError:
        raise CommandError(
            _("%(option)s: %(value)r is not a date (dd/mm/yyyy)")
            % {"option": option, "value": text}
        ) from None


def _limit(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100000:
        raise CommandError(
            _("--limit: expected a whole number from 1 to 100.000, got %(value)r") % {"value": text}
        )
    return int(text)


class Command(BaseCommand):
    help = "Synchronise with the National Public Service Portal (docs/national.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        targets = parser.add_subparsers(dest="target", required=True)
        national = targets.add_parser("national", help="the National Public Service Portal")
        national.add_argument("--once", action="store_true", help="one pass, then exit")
        national.add_argument("--limit", help="events and dossiers per pass (BATCH_SIZE)")
        steps = national.add_subparsers(dest="step")
        steps.add_parser("status", help="records, waiting, failing")
        reconcile = steps.add_parser("reconcile", help="list every difference")
        reconcile.add_argument("--date", help="only the dossiers changed that day, dd/mm/yyyy")
        resync = steps.add_parser("resync", help="repair differences")
        resync.add_argument("--code", action="append", default=[], help="a dossier code")
        resync.add_argument("--all-differences", action="store_true")
        catalog = steps.add_parser("catalog", help="pull the national procedure catalogue")
        catalog.add_argument("--diff", action="store_true", help="show the differences (default)")
        catalog.add_argument("--apply", action="store_true", help="create the new versions")
        catalog.add_argument("--from", dest="valid_from", help="new versions from, dd/mm/yyyy")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = national_config()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if not config.enabled:
            self.stdout.write(
                _("The national portal sync is off (MOTCUA_NATIONAL_ENABLED); nothing done.")
            )
            return
        step = options.get("step")
        try:
            if step == "status":
                counts = sync_status()
                self.stdout.write(
                    _("%(records)s dossiers synchronised, %(pending)s waiting, %(failing)s failing")
                    % {k: format_count(v) for k, v in counts.items()}
                )
                for record in failing_records():
                    self.stdout.write(
                        f"{record.code}\t{record.attempts}\t{record.last_outcome}\t"
                        f"{record.last_error}"
                    )
            elif step == "reconcile":
                self._reconcile(options)
            elif step == "resync":
                self._resync(options)
            elif step == "catalog":
                self._catalog(options)
            else:
                self._sync(options)
        except (NationalError, UnmappedStatus) as error:
            raise CommandError(str(error)) from None

    def _sync(self, options: dict[str, Any]) -> None:
        limit = _limit(options["limit"]) if options.get("limit") else None
        report = national_sync(limit=limit, once=options["once"])
        if report.busy:
            self.stdout.write(_("Another worker is reading the feed; try again later."))
        self.stdout.write(
            _(
                "Feed: %(read)s events read (%(out)s outside the synchronised units); "
                "%(sent)s events acknowledged by the portal."
            )
            % {
                "read": format_count(report.read),
                "out": format_count(report.out_of_scope),
                "sent": format_count(report.sent),
            }
        )
        for line in report.failed:
            self.stderr.write(_("Not synchronised: %(error)s") % {"error": line})
        if report.failed:
            raise CommandError(
                _("%(n)s dossier(s) not synchronised; they are retried later.")
                % {"n": format_count(len(report.failed))}
            )

    def _reconcile(self, options: dict[str, Any]) -> None:
        day = _day(options["date"], "--date") if options.get("date") else None
        run = national_reconcile(day=day)
        assert run is not None
        labels = {d.value: d.label for d in Difference}
        for item in run.differences:
            self.stdout.write(f"{item['code']}\t{labels[item['kind']]}\t{item['detail']}")
        self.stdout.write(
            _("%(checked)s dossiers checked, %(n)s differences")
            % {"checked": format_count(run.checked), "n": format_count(len(run.differences))}
        )

    def _resync(self, options: dict[str, Any]) -> None:
        if not options["code"] and not options["all_differences"]:
            raise CommandError(_("resync: give --code X or --all-differences"))
        outcome = national_resync(codes=options["code"], all_differences=options["all_differences"])
        for code, text in outcome.items():
            self.stdout.write(f"{code}\t{text}")
        self.stdout.write(_("%(n)s dossiers resynchronised") % {"n": format_count(len(outcome))})

    def _catalog(self, options: dict[str, Any]) -> None:
        valid_from = (
            _day(options["valid_from"], "--from")
            if options.get("valid_from")
            else timezone.localdate() + timedelta(days=1)
        )
        diff = national_catalog_diff(valid_from=valid_from)
        for code, name in diff.added:
            self.stdout.write(f"+ {code}\t{name}")
        for code, name in diff.removed:
            self.stdout.write(f"- {code}\t{name}")
        for change in diff.changed:
            self.stdout.write(f"~ {change.code}\t{change.name}")
            for what, ours, theirs in change.changes:
                self.stdout.write(f"    {what}: {ours} -> {theirs}")
        self.stdout.write(
            _("%(added)s added, %(removed)s removed, %(changed)s changed on the national portal")
            % {
                "added": format_count(len(diff.added)),
                "removed": format_count(len(diff.removed)),
                "changed": format_count(len(diff.changed)),
            }
        )
        if options["apply"]:
            try:
                report = national_catalog_apply(diff=diff)
            except CatalogImportError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                _("%(n)s new catalogue versions from %(day)s")
                % {"n": format_count(len(report.new_versions)), "day": f"{valid_from:%d/%m/%Y}"}
            )
