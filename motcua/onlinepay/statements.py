"""Reading a gateway's statement of the day, or the bank statement of VietQR transfers (CSV or
XLSX), every problem named by line and column (``motcua.lib.tablefile``), and reconciling it:
:func:`statement_reconcile` is what ``motcua payments reconcile`` and the staff page call.

Columns: ``reference`` (our MaThamChieu / vnp_TxnRef), ``transaction`` (the gateway's number),
``amount`` (đồng, digits, optionally grouped 1.608.000) and ``paid_at`` (dd/mm/yyyy HH:MM:SS,
Vietnam time). The sandbox writes this shape; a real gateway's export is mapped to it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from motcua.core.clock import LOCAL_TZ
from motcua.lib.tablefile import FileFormatError, RowError, capped_errors, read_table
from motcua.onlinepay.choices import Provider
from motcua.onlinepay.errors import OnlinePayError
from motcua.onlinepay.services import (
    BankLine,
    Reconciliation,
    StatementLine,
    payment_reconcile,
    vietqr_statement_apply,
)

COLUMNS = ("reference", "transaction", "amount", "paid_at")


def _cell_text(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def statement_read(data: bytes, name: str) -> list[StatementLine]:
    """The statement's lines, or ``FileFormatError`` naming each bad line and column."""
    rows = read_table(data, name, columns=COLUMNS, cell_text=_cell_text)
    lines: list[StatementLine] = []
    errors: list[RowError] = []
    for line, cells in rows:
        reference = cells.get("reference", "").strip()
        transaction = cells.get("transaction", "").strip()
        amount_text = cells.get("amount", "").strip().replace(".", "")
        paid_text = cells.get("paid_at", "").strip()
        if not reference or len(reference) > 40:
            errors.append(
                RowError(line, "reference", _("a reference of 1 to 40 characters is required"))
            )
        if len(transaction) > 64:
            errors.append(RowError(line, "transaction", _("at most 64 characters")))
        amount = int(amount_text) if amount_text.isdigit() and len(amount_text) <= 15 else None
        if amount is None:
            errors.append(RowError(line, "amount", _("a whole number of đồng is required")))
        try:
            paid_at = datetime.strptime(paid_text, "%d/%m/%Y %H:%M:%S").replace(tzinfo=LOCAL_TZ)
        except ValueError:
            errors.append(
                RowError(line, "paid_at", _("a moment as dd/mm/yyyy HH:MM:SS is required"))
            )
            continue
        if amount is not None and reference and len(reference) <= 40 and len(transaction) <= 64:
            lines.append(StatementLine(line, reference, transaction, amount, paid_at))
    if errors:
        raise FileFormatError(capped_errors(errors))
    return lines


# The bank statement of the VietQR beneficiary account, credits only: the transaction's date
# (dd/mm/yyyy, optionally HH:MM:SS), the amount, the transfer content and the bank's reference.
BANK_COLUMNS = ("date", "amount", "content", "bank_reference")
MAX_CONTENT_CHARS = 500


def _moment(text: str) -> datetime | None:
    for shape in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, shape).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            continue
    return None


def bank_statement_read(data: bytes, name: str) -> list[BankLine]:
    """The bank statement's credits, or ``FileFormatError`` naming each bad line and column
    (a bank reference repeated in the file is one)."""
    rows = read_table(data, name, columns=BANK_COLUMNS, cell_text=_cell_text)
    lines: list[BankLine] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for line, cells in rows:
        bad = False
        paid_at = _moment(cells.get("date", "").strip())
        if paid_at is None:
            errors.append(RowError(line, "date", _("a date as dd/mm/yyyy (HH:MM:SS) is required")))
            bad = True
        amount_text = cells.get("amount", "").strip().replace(".", "").replace(",", "")
        amount = int(amount_text) if amount_text.isdigit() and len(amount_text) <= 15 else 0
        if amount <= 0:
            errors.append(
                RowError(line, "amount", _("a whole number of đồng above zero is required"))
            )
            bad = True
        content = cells.get("content", "").strip()
        if len(content) > MAX_CONTENT_CHARS:
            errors.append(RowError(line, "content", _("at most 500 characters")))
            bad = True
        reference = cells.get("bank_reference", "").strip()
        if not reference or len(reference) > 64:
            errors.append(
                RowError(line, "bank_reference", _("a reference of 1 to 64 characters is required"))
            )
            bad = True
        elif reference in first_line:
            errors.append(
                RowError(
                    line,
                    "bank_reference",
                    _("the same bank reference as line %(line)s") % {"line": first_line[reference]},
                )
            )
            bad = True
        else:
            first_line[reference] = line
        if not bad and paid_at is not None:
            lines.append(BankLine(line, paid_at, amount, content, reference))
    if errors:
        raise FileFormatError(capped_errors(errors))
    return lines


def statement_reconcile(
    *, provider: Provider | str, data: bytes, name: str, days: list[date] | None = None
) -> Reconciliation:
    """Read a statement file and reconcile it: a gateway's (VNPay, the national platform)
    against the payments recorded from it; a bank's (VietQR) recording the transfers it
    matches. A bad file raises ``FileFormatError`` before anything is read from the ledger or
    written to it."""
    try:
        provider = Provider(provider)
    except ValueError:
        raise OnlinePayError(_("unknown payment gateway"), field="provider") from None
    if provider == Provider.VIETQR:
        return vietqr_statement_apply(lines=bank_statement_read(data, name), days=days)
    return payment_reconcile(provider=provider, lines=statement_read(data, name), days=days)
