"""``motcua catalog``: import, export, list and show the catalogue."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from motcua.catalog.choices import LimitUnit, OnlineLevel, ProcedureLevel
from motcua.catalog.fileformat import LEVEL_WORDS
from motcua.catalog.selectors import procedure_history, procedure_version_list
from motcua.catalog.services import (
    CatalogImportError,
    catalog_export,
    catalog_import,
    declaration_forms_import,
)
from motcua.lib.formatting import format_date, format_money, format_number, format_ratio
from motcua.lib.parsing import parse_cell_date
from motcua.lib.tablefile import clean_text


def _date(value: str, option: str) -> Any:
    try:
        return parse_cell_date(value)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None


def _level(value: str) -> str:
    word = clean_text(value).casefold()
    if word not in LEVEL_WORDS:
        raise CommandError(
            _("--level: “%(value)s” is not one of: %(allowed)s")
            % {"value": value, "allowed": ", ".join(LEVEL_WORDS)}
        )
    return LEVEL_WORDS[word]


class Command(BaseCommand):
    help = _("Procedure catalogue: import, export, list, show.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser(
            "import",
            help=_(
                "import a .csv or .xlsx catalogue file, or a .json file of declaration forms "
                "(all or nothing)"
            ),
        )
        p.add_argument("file")
        p.add_argument("--valid-from", help=_("start date for rows without hieu_luc_tu"))
        p = sub.add_parser("export", help=_("write the catalogue to a .csv or .xlsx file"))
        p.add_argument("file")
        p.add_argument("--on", help=_("the versions in force on this date (default: newest)"))
        p = sub.add_parser("list", help=_("list the procedures in force"))
        p.add_argument("--level")
        p.add_argument("--on", help=_("date (default: today)"))
        p.add_argument("--search", help=_("words of the code or name, accents optional"))
        p = sub.add_parser("show", help=_("show one procedure and its versions"))
        p.add_argument("code")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self.do_import(options)
        elif action == "export":
            on = _date(options["on"], "--on") if options["on"] else None
            try:
                count = catalog_export(options["file"], on=on)
            except CatalogImportError as exc:
                raise CommandError("\n".join(str(e) for e in exc.errors)) from None
            except OSError as exc:
                raise CommandError(f"{options['file']}: {exc.strerror}") from None
            self.stdout.write(
                _("Wrote %(count)s procedures to %(file)s.")
                % {"count": format_number(count), "file": options["file"]}
            )
        elif action == "list":
            self.do_list(options)
        else:
            self.do_show(options["code"])

    def do_import(self, options: dict[str, Any]) -> None:
        default = _date(options["valid_from"], "--valid-from") if options["valid_from"] else None
        if str(options["file"]).lower().endswith(".json"):
            self.do_import_forms(options["file"], on=default)
            return
        try:
            report = catalog_import(options["file"], valid_from_default=default)
        except CatalogImportError as exc:
            lines = [
                _("%(file)s was not imported (%(count)s errors); nothing was changed:")
                % {"file": options["file"], "count": format_number(len(exc.errors))}
            ]
            lines += [f"  {error}" for error in exc.errors]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            _(
                "%(rows)s rows: %(created)s new procedures, %(versions)s new versions, "
                "%(ends)s end dates changed, %(unchanged)s unchanged."
            )
            % {
                "rows": format_number(report.rows),
                "created": format_number(len(report.created)),
                "versions": format_number(len(report.new_versions)),
                "ends": format_number(len(report.end_changed)),
                "unchanged": format_number(len(report.unchanged)),
            }
        )

    def do_import_forms(self, path: str, *, on: Any) -> None:
        """A .json file holds declaration forms (docs/catalog.md "Declaration forms")."""
        try:
            report = declaration_forms_import(path, on=on)
        except CatalogImportError as exc:
            lines = [
                _("%(file)s was not imported (%(count)s errors); nothing was changed:")
                % {"file": path, "count": format_number(len(exc.errors))}
            ]
            lines += [f"  {error}" for error in exc.errors]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            _("%(created)s new declaration forms, %(unchanged)s unchanged.")
            % {
                "created": format_number(len(report.created)),
                "unchanged": format_number(len(report.unchanged)),
            }
        )

    def do_list(self, options: dict[str, Any]) -> None:
        on = _date(options["on"], "--on") if options["on"] else timezone.localdate()
        level = _level(options["level"]) if options["level"] else None
        versions = list(procedure_version_list(on=on, level=level, search=options["search"]))
        for v in versions:
            self.stdout.write(
                f"{v.procedure.code:<10} {ProcedureLevel(v.level).label:<14} "
                f"{OnlineLevel(v.online_level).label:<22} {v.name}"
            )
        online = sum(1 for v in versions if v.offered_online)
        self.stdout.write(
            _("%(count)s procedures in force on %(day)s; offered online: %(ratio)s")
            % {
                "count": format_number(len(versions)),
                "day": format_date(on),
                "ratio": format_ratio(online, len(versions)),
            }
        )

    def do_show(self, code: str) -> None:
        versions = list(procedure_history(clean_text(code)))
        if not versions:
            raise CommandError(_("no procedure has the code %(code)s") % {"code": code})
        # Labels outside the f-strings, where makemessages can find them.
        labels = {
            "version": pgettext("catalog", "version"),
            "field": _("field"),
            "level": pgettext("catalog", "level"),
            "body": _("competent body"),
            "limit": _("time limit"),
            "fee": _("fee"),
            "free": _("free"),
            "online": _("online service level"),
            "certification": _("certification procedure"),
        }
        for v in versions:
            end = format_date(v.valid_to) if v.valid_to else "…"
            limit = f"{v.time_limit} {LimitUnit(v.time_limit_unit).label}"
            if v.online_time_limit:
                limit += _(" (online: %(n)s)") % {"n": v.online_time_limit}
            fees = "; ".join(
                f"{f.label + ': ' if f.label else ''}{format_money(f.amount)}" for f in v.fees.all()
            )
            lines = [
                f"{v.procedure.code} — {labels['version']} {v.version}: "
                f"{format_date(v.valid_from)} – {end}",
                f"  {v.name}",
                f"  {labels['field']}: {v.field.name}; "
                f"{labels['level']}: {ProcedureLevel(v.level).label}",
                f"  {labels['body']}: {v.competent_body}"
                + (f" ({v.competent_agency.code})" if v.competent_agency else ""),
                f"  {labels['limit']}: {limit}",
                f"  {labels['fee']}: {fees or labels['free']}",
                f"  {labels['online']}: {OnlineLevel(v.online_level).label}"
                + (f"; {labels['certification']}" if v.is_certification else ""),
            ]
            for c in v.components.all():
                lines.append(
                    f"  – {c.name} "
                    + _("(originals %(o)s, certified copies %(c)s, photocopies %(p)s)")
                    % {"o": c.originals, "c": c.certified_copies, "p": c.photocopies}
                )
            self.stdout.write("\n".join(lines))
