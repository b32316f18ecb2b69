"""Reading a gateway's statement of the day (CSV or XLSX) into ``StatementLine`` rows, every
problem named by line and column (``motcua.lib.tablefile``).

Columns: ``reference`` (our MaThamChieu / vnp_TxnRef), ``transaction`` (the gateway's number),
``amount`` (đồng, digits, optionally grouped 1.608.000) and ``paid_at`` (dd/mm/yyyy HH:MM:SS,
Vietnam time). The sandbox writes this shape; a real gateway's export is mapped to it.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from motcua.core.clock import LOCAL_TZ
from motcua.lib.tablefile import FileFormatError, RowError, capped_errors, read_table
from motcua.onlinepay.services import StatementLine

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
