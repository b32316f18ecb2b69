"""``motcua units load|tree|lineage``: administrative units from the command line."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_count, format_date
from motcua.lib.parsing import parse_date
from motcua.units.choices import LEVEL_RANK, UnitLevel
from motcua.units.models import AdministrativeUnit, Succession
from motcua.units.selectors import UnitNotFound, unit_at, unit_lineage, units_below, valid_on
from motcua.units.services import BAC_KAN_FILES, UnitDataError, load_units


def _date_argument(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError:
        raise CommandError(
            _("--on: %(value)r is not a date; write dd/mm/yyyy or yyyy-mm-dd") % {"value": text}
        ) from None


def _validity(unit: AdministrativeUnit) -> str:
    if unit.valid_from and unit.valid_to:
        return _("from %(start)s to %(end)s") % {
            "start": format_date(unit.valid_from),
            "end": format_date(unit.valid_to),
        }
    if unit.valid_from:
        return _("from %(start)s") % {"start": format_date(unit.valid_from)}
    if unit.valid_to:
        return _("until %(end)s") % {"end": format_date(unit.valid_to)}
    return ""


def _label(unit: AdministrativeUnit) -> str:
    validity = _validity(unit)
    return f"{unit.name} ({unit.code})" + (f" · {validity}" if validity else "")


class Command(BaseCommand):
    help = "Administrative units: load data files, print the tree, print a unit's lineage."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load", help="load unit/succession/agency CSV files (default: Bắc Kạn)"
        )
        load.add_argument("files", nargs="*", help="CSV files; none = the shipped Bắc Kạn data")
        tree = sub.add_parser("tree", help="print the tree of units")
        tree.add_argument("--on", help="only units valid on this date (dd/mm/yyyy)")
        tree.add_argument("--code", help="start at the unit with this code")
        lineage = sub.add_parser("lineage", help="a unit and everything that became it")
        lineage.add_argument("code")
        lineage.add_argument("--on", help="the date the code is read on (default: today)")

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "load":
            self.load([str(f) for f in options["files"]])  # type: ignore[attr-defined]
        elif action == "tree":
            self.tree(options.get("on"), options.get("code"))  # type: ignore[arg-type]
        else:
            self.lineage(str(options["code"]), options.get("on"))  # type: ignore[arg-type]

    def load(self, files: list[str]) -> None:
        paths = [Path(f) for f in files] if files else BAC_KAN_FILES
        try:
            report = load_units(paths)
        except UnitDataError as error:
            raise CommandError(
                _("Nothing was loaded; %(count)s problem(s):\n%(problems)s")
                % {"count": len(error.problems), "problems": str(error)}
            ) from None
        for label, tally in (
            (_("units"), report.units),
            (_("successions"), report.successions),
            (_("agencies"), report.agencies),
        ):
            self.stdout.write(
                _("%(what)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged")
                % {
                    "what": label,
                    "created": format_count(tally.created),
                    "updated": format_count(tally.updated),
                    "unchanged": format_count(tally.unchanged),
                }
            )

    def tree(self, on_text: str | None, code: str | None) -> None:
        on = _date_argument(on_text) if on_text else None
        units = AdministrativeUnit.objects.all()
        if code:
            roots = list(AdministrativeUnit.objects.filter(code=code))
            if on is not None:
                roots = [r for r in roots if r.is_valid_on(on)]
            if not roots:
                raise CommandError(
                    _("--code: no administrative unit with code %(code)s") % {"code": code}
                    if on is None
                    else _("--code: no administrative unit with code %(code)s on %(date)s")
                    % {"code": code, "date": format_date(on)}
                )
            units = AdministrativeUnit.objects.none()
            for root in roots:
                units |= units_below(root)
        if on is not None:
            units = units.filter(valid_on(on))
        # One query; the tree is assembled in memory.
        loaded = list(units.order_by("code", "valid_from"))
        ids = {u.pk for u in loaded}
        children: dict[int | None, list[AdministrativeUnit]] = defaultdict(list)
        for unit in loaded:
            children[unit.parent_id if unit.parent_id in ids else None].append(unit)

        def show(unit: AdministrativeUnit, depth: int) -> None:
            self.stdout.write("  " * depth + _label(unit))
            for child in children[unit.pk]:
                show(child, depth + 1)

        for root in sorted(children[None], key=lambda u: (LEVEL_RANK[u.level], u.code)):
            show(root, 0)
        self.stdout.write(_("%(count)s unit(s)") % {"count": format_count(len(loaded))})

    def lineage(self, code: str, on_text: str | None) -> None:
        on = _date_argument(on_text) if on_text else timezone.localdate()
        try:
            unit = unit_at(code, on)
        except UnitNotFound as error:
            raise CommandError(str(error)) from None
        members = list(unit_lineage(unit).select_related("parent").order_by("code", "valid_from"))
        ids = {m.pk for m in members}
        self.stdout.write(_("%(unit)s and everything that became it:") % {"unit": _label(unit)})
        successions = Succession.objects.filter(successor_id__in=ids).select_related(
            "predecessor", "successor"
        )
        for succession in successions:
            self.stdout.write(
                "  "
                + _("%(predecessor)s → %(successor)s on %(date)s (%(kind)s; %(ref)s)")
                % {
                    "predecessor": _label(succession.predecessor),
                    "successor": succession.successor.name,
                    "date": format_date(succession.effective_date),
                    "kind": succession.get_kind_display(),
                    "ref": succession.legal_ref or "–",
                }
            )
        by_level: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        for member in members:
            by_level[member.level].append(member)
        for level in sorted(by_level, key=LEVEL_RANK.__getitem__):
            group = by_level[level]
            self.stdout.write(f"{UnitLevel(level).label} ({format_count(len(group))}):")
            if level == UnitLevel.VILLAGE:
                per_parent: dict[str, int] = defaultdict(int)
                for member in group:
                    per_parent[_label(member.parent) if member.parent else "–"] += 1
                for parent_label, count in sorted(per_parent.items()):
                    self.stdout.write(
                        "  "
                        + _("%(count)s under %(parent)s")
                        % {"count": format_count(count), "parent": parent_label}
                    )
            else:
                for member in group:
                    self.stdout.write("  " + _label(member))
        self.stdout.write(_("%(count)s unit(s)") % {"count": format_count(len(members))})
