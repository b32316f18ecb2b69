"""``motcua payments vietqr CODE [--amount N] [--png FILE | --svg FILE]``: a dossier's fees as a
VietQR bank-transfer payload (docs/payments.md "VietQR"); ``motcua payments reconcile
--provider vnpay|national|vietqr --statement FILE [--day dd/mm/yyyy]``: one reconciliation for
every provider (docs/payments.md "Reconciliation").

The command lives in ``onlinepay`` although it is named after ``payments``: reconciling records
VietQR payments through the dossier's PAY action and reads the gateways' intents, and
``payments`` sits below ``dossiers`` and ``onlinepay`` (lint-imports), so it may import
neither. ``onlinepay`` may import ``payments``, so both subcommands live here, in one module.

Prints the payload (the text a banking app reads from the QR code) for what dossier CODE still
owes (``payments.selectors.amount_owed``), or for ``--amount`` đồng, which may be less than what
is owed (a part payment) but not more; ``--png`` / ``--svg`` also draw the QR code into FILE.
Refused, naming CODE or the option: an unknown dossier, nothing owed, a bad amount, VietQR not
configured (``MOTCUA_VIETQR_*`` settings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import segno
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.lib.formatting import format_money
from motcua.onlinepay.choices import Provider
from motcua.onlinepay.management.reconcile import add_reconcile_arguments, reconcile_run
from motcua.payments import vietqr
from motcua.payments.selectors import amount_owed

# Where a VietQRError's field comes from, as the usage line or the settings name it.
OPTION_OF_FIELD = {
    "code": "CODE",
    "amount": "--amount",
    "bank_bin": "MOTCUA_VIETQR_BANK_BIN",
    "account": "MOTCUA_VIETQR_ACCOUNT",
}


def _refused(error: vietqr.VietQRError) -> CommandError:
    option = OPTION_OF_FIELD.get(error.field, error.field)
    return CommandError(f"{option}: {_(error.message) % error.params}")


def _whole_amount(value: str) -> int:
    """--amount as typed: digits, optionally grouped the Vietnamese way (1.608.000)."""
    digits = value.strip().replace(".", "")
    if not digits.isdigit():
        raise CommandError(
            _("--amount: %(value)r is not a whole number of đồng") % {"value": value}
        )
    return int(digits)


def dossier_by_code(code: str) -> tuple[int, str] | None:
    """The id and code of the dossier with ``code`` (as typed or upper-cased), or None."""
    # Written when this command lived in payments, below dossiers: the dossier is reached as
    # the model its obligations point to (house rule R1), not by importing it.
    dossier_model = apps.get_model("dossiers", "Dossier")
    found = (
        dossier_model.objects.filter(code__in={code, code.upper()})
        .values_list("pk", "code")
        .first()
    )
    return (int(found[0]), str(found[1])) if found is not None else None


class Command(BaseCommand):
    help = (
        "Fees of dossiers: the VietQR bank-transfer payload of what a dossier owes, and the "
        "reconciliation of a provider's statement."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        qr = sub.add_parser(
            "vietqr",
            help="print the VietQR payload of what dossier CODE owes (docs/payments.md)",
        )
        qr.add_argument("code", metavar="CODE", help="the dossier code")
        qr.add_argument(
            "--amount",
            help="đồng to transfer, at most what is owed (default: all that is owed)",
        )
        drawn = qr.add_mutually_exclusive_group()
        drawn.add_argument("--png", metavar="FILE", help="also draw the QR code as a PNG image")
        drawn.add_argument("--svg", metavar="FILE", help="also draw the QR code as an SVG image")
        add_reconcile_arguments(
            sub.add_parser(
                "reconcile", help="match a provider's statement (CSV/XLSX) with the ledger"
            ),
            providers=[Provider.VNPAY, Provider.NATIONAL, Provider.VIETQR],
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "vietqr":
            self.vietqr(options)
        elif action == "reconcile":
            reconcile_run(self, options)

    def vietqr(self, options: dict[str, Any]) -> None:
        code = str(options["code"]).strip()
        try:
            beneficiary = vietqr.beneficiary_from(
                settings.MOTCUA_VIETQR_BANK_BIN,
                settings.MOTCUA_VIETQR_ACCOUNT,
                settings.MOTCUA_VIETQR_ACCOUNT_NAME,
            )
        except vietqr.VietQRError as error:
            raise _refused(error) from None
        if beneficiary is None:
            raise CommandError(
                _(
                    "VietQR is not configured: set MOTCUA_VIETQR_BANK_BIN and "
                    "MOTCUA_VIETQR_ACCOUNT (docs/payments.md)"
                )
            )
        found = dossier_by_code(code)
        if found is None:
            raise CommandError(_("CODE: no dossier has the code %(code)r") % {"code": code})
        dossier_id, code = found
        owed = amount_owed(dossier_id)
        if owed == 0:
            raise CommandError(_("CODE: dossier %(code)s owes nothing") % {"code": code})
        amount = owed
        if options.get("amount") is not None:
            amount = _whole_amount(options["amount"])
            if amount > owed:
                raise CommandError(
                    _("--amount: %(amount)s is more than the %(owed)s owed")
                    % {"amount": format_money(amount), "owed": format_money(owed)}
                )
        try:
            payload = vietqr.build_for(
                beneficiary, amount=amount, purpose=vietqr.dossier_purpose(code)
            )
        except vietqr.VietQRError as error:
            raise _refused(error) from None
        self.stdout.write(payload)
        for kind in ("png", "svg"):
            if options.get(kind):
                path = Path(options[kind])
                try:
                    # Error level M, as the printed forms' QR codes (documents.printouts).
                    segno.make_qr(payload, error="m").save(str(path), kind=kind, scale=8, border=4)
                except OSError as error:
                    raise CommandError(f"--{kind}: {error}") from None
                self.stderr.write(_("QR code written to %(file)s.") % {"file": path})
