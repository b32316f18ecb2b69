"""The one implementation of ``motcua payments reconcile`` and its older name ``motcua
onlinepay reconcile``: arguments, reading the file, printing the three lists, exit status."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from motcua.core.clock import LOCAL_TZ
from motcua.lib.formatting import format_number
from motcua.lib.tablefile import FileFormatError, read_file_bytes
from motcua.onlinepay.choices import Provider
from motcua.onlinepay.services import difference_text
from motcua.onlinepay.statements import statement_reconcile


def add_reconcile_arguments(parser: ArgumentParser, *, providers: Sequence[Provider]) -> None:
    parser.add_argument("--provider", required=True, choices=[p.value for p in providers])
    parser.add_argument("--statement", required=True, metavar="FILE")
    parser.add_argument(
        "--day", metavar="DD/MM/YYYY", help="the day covered (default: the lines' days)"
    )


def reconcile_run(command: BaseCommand, options: dict[str, Any]) -> None:
    """Reconcile the statement, print the lists; exit 1 when there is any difference."""
    path = Path(options["statement"])
    if not path.is_file():
        raise CommandError(_("--statement: %(path)s is not a file") % {"path": path})
    days = None
    if options.get("day"):
        try:
            days = [datetime.strptime(options["day"], "%d/%m/%Y").replace(tzinfo=LOCAL_TZ).date()]
        except ValueError:
            raise CommandError(_("--day: use dd/mm/yyyy")) from None
    try:
        result = statement_reconcile(
            provider=options["provider"], data=read_file_bytes(path), name=path.name, days=days
        )
    except FileFormatError as error:
        raise CommandError(f"--statement: {path.name}\n{error}") from None
    out = command.stdout
    out.write(
        _("Days: %(days)s. Lines matched: %(count)s.")
        % {
            "days": ", ".join(d.strftime("%d/%m/%Y") for d in result.days) or "-",
            "count": format_number(result.matched),
        }
    )
    if options["provider"] == Provider.VIETQR:
        out.write(
            _("Transfers recorded now: %(count)s.") % {"count": format_number(result.recorded)}
        )
    for title, items in (
        (_("Paid but not recorded"), result.paid_not_recorded),
        (_("Recorded but not paid"), result.recorded_not_paid),
        (_("Amount mismatches"), result.amount_mismatches),
    ):
        out.write(f"{title}: {format_number(len(items))}")
        for item in items:
            out.write(f"  {difference_text(item)}")
    if not result.clean:
        sys.exit(1)
