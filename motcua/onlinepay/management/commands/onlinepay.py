"""``motcua onlinepay reconcile --provider vnpay|national|vietqr --statement FILE [--day
dd/mm/yyyy]``: the older name of ``motcua payments reconcile``, kept for scripts that use it.

One implementation (``onlinepay.management.reconcile``): same arguments, output and exit
status (0 only when the three lists are empty).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.onlinepay.choices import Provider
from motcua.onlinepay.management.reconcile import add_reconcile_arguments, reconcile_run


class Command(BaseCommand):
    help = "Online payments: reconcile a provider's statement (same as `payments reconcile`)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add_reconcile_arguments(
            sub.add_parser("reconcile", help="match a provider's statement (CSV/XLSX)"),
            providers=[Provider.VNPAY, Provider.NATIONAL, Provider.VIETQR],
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reconcile_run(self, options)
