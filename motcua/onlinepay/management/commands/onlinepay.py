"""``motcua onlinepay reconcile --provider vnpay|national --statement FILE [--day dd/mm/yyyy]``:
match a gateway's statement (CSV or XLSX) with the payments recorded from it.

Prints the paid-but-not-recorded, recorded-but-not-paid and amount-mismatch lists and exits 0
only when all three are empty (1 otherwise). A bad file is refused naming its line and column.
Here rather than under ``motcua payments``: payments sits below onlinepay (lint-imports).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.core.clock import LOCAL_TZ
from motcua.lib.formatting import format_number
from motcua.lib.tablefile import FileFormatError, read_file_bytes
from motcua.onlinepay.choices import Provider
from motcua.onlinepay.services import difference_text, payment_reconcile
from motcua.onlinepay.statements import statement_read


class Command(BaseCommand):
    help = "Online payments: reconcile a gateway's statement with the ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser("reconcile", help="match a gateway's statement (CSV/XLSX)")
        reconcile.add_argument(
            "--provider", required=True, choices=[Provider.VNPAY, Provider.NATIONAL]
        )
        reconcile.add_argument("--statement", required=True, metavar="FILE")
        reconcile.add_argument(
            "--day", metavar="DD/MM/YYYY", help="the day covered (default: the lines' days)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["statement"])
        if not path.is_file():
            raise CommandError(_("--statement: %(path)s is not a file") % {"path": path})
        days = None
        if options.get("day"):
            try:
                days = [
                    datetime.strptime(options["day"], "%d/%m/%Y").replace(tzinfo=LOCAL_TZ).date()
                ]
            except ValueError:
                raise CommandError(_("--day: use dd/mm/yyyy")) from None
        try:
            lines = statement_read(read_file_bytes(path), path.name)
        except FileFormatError as error:
            raise CommandError(f"--statement: {path.name}\n{error}") from None
        result = payment_reconcile(provider=options["provider"], lines=lines, days=days)
        out = self.stdout
        out.write(
            _("Days: %(days)s. Lines matched: %(count)s.")
            % {
                "days": ", ".join(d.strftime("%d/%m/%Y") for d in result.days) or "-",
                "count": format_number(result.matched),
            }
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
