"""``motcua dossiers import`` and ``motcua dossiers export``: history in and out as JSON Lines.

The ``dossiers`` command adds these subcommands with :func:`add_import_export` and hands
``options`` to :func:`handle_import_export` when ``options["history_action"]`` is set.
"""

from __future__ import annotations

import sys
from argparse import _SubParsersAction
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from motcua.dossiers.history import HistoryImportError, export_history, import_history
from motcua.lib.formatting import format_number
from motcua.units.models import AdministrativeUnit


def add_import_export(subparsers: _SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``import FILE`` and ``export [FILE] [--code CODE]... [--unit CODE]``."""
    p = subparsers.add_parser(
        "import", help=_("import dossiers with their history from a JSON Lines file")
    )
    p.add_argument("file", help=_("the .jsonl file (docs/dossier-history-format.md)"))
    p.set_defaults(history_action="import")
    p = subparsers.add_parser("export", help=_("write dossiers with their history as JSON Lines"))
    p.add_argument("file", nargs="?", default="-", help=_("the file to write (default: stdout)"))
    p.add_argument(
        "--code", action="append", dest="codes", help=_("only this dossier (repeatable)")
    )
    p.add_argument(
        "--unit", help=_("only dossiers received in this administrative unit or below it")
    )
    p.set_defaults(history_action="export")


def handle_import_export(command: BaseCommand, options: dict[str, Any]) -> None:
    """Run the subcommand chosen in ``options`` (set up by :func:`add_import_export`)."""
    if options["history_action"] == "import":
        _import(command, options["file"])
    else:
        _export(command, options)


def _import(command: BaseCommand, path: str) -> None:
    try:
        report = import_history(path)
    except FileNotFoundError:
        raise CommandError(_("%(file)s: no such file") % {"file": path}) from None
    except UnicodeDecodeError as error:
        raise CommandError(
            _("%(file)s: not UTF-8 text (byte %(at)s)") % {"file": path, "at": error.start}
        ) from None
    except OSError as error:  # a directory, no permission: a message, never a traceback
        raise CommandError(f"{path}: {error.strerror}") from None
    except HistoryImportError as error:
        lines = [
            _("The file was refused, nothing was imported: %(count)s problems.")
            % {"count": format_number(len(error.errors))}
        ]
        lines += [f"  {e}" for e in error.errors]
        raise CommandError("\n".join(lines)) from None
    command.stdout.write(
        _(
            "%(created)s dossiers imported (%(events)s events), "
            "%(unchanged)s already present and unchanged."
        )
        % {
            "created": format_number(len(report.created)),
            "events": format_number(report.events),
            "unchanged": format_number(len(report.unchanged)),
        }
    )


def _export(command: BaseCommand, options: dict[str, Any]) -> None:
    unit = None
    if options.get("unit"):
        unit = AdministrativeUnit.objects.filter(code=options["unit"]).order_by("-id").first()
        if unit is None:
            raise CommandError(
                _("--unit: no administrative unit with code %(code)s") % {"code": options["unit"]}
            )
    path = options["file"]
    try:
        if path == "-":
            count = export_history(sys.stdout, codes=options.get("codes"), unit=unit)
        else:
            count = export_history(path, codes=options.get("codes"), unit=unit)
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}") from None
    if path != "-":
        command.stdout.write(
            _("%(count)s dossiers written to %(file)s.")
            % {"count": format_number(count), "file": path}
        )
