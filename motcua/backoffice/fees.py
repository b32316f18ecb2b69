"""The fee part of the dossier page: what is owed, the pay form, receipts.

What is owed is ``payments.selectors.fee_statement`` (its one home); this module only decides
what the page shows from it: the amount owed (pre-filled in the pay form), no pay form when
nothing is owed, and the receipts to print. The write path refuses the same things again.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from motcua.accounts.access import user_may_see_unit
from motcua.accounts.models import User
from motcua.core import workflow
from motcua.dossiers.models import Dossier
from motcua.lib.formatting import format_number
from motcua.onlinepay.access import FEE_ROLES
from motcua.payments.selectors import dossier_receipts, fee_statement

# ``?in=bien-lai`` after a payment: the page offers to print the receipt just given.
PRINT_RECEIPT = "bien-lai"


def fee_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The dossier page's fee facts: the statement, the pay form's amount, the receipts."""
    statement = fee_statement(dossier.pk)
    receipts = dossier_receipts(dossier.pk)
    just_paid = request.GET.get("in") == PRINT_RECEIPT and receipts
    return {
        "fees": statement,
        # As the clerk would type it (100.000): the amount parser reads it back.
        "owed_input": format_number(statement.owed) if statement.owed else "",
        "payments": receipts,
        "print_receipt": receipts[-1] if just_paid else None,
        # Cancel-and-replace (onlinepay.staff_views.receipt_cancel checks it again).
        "may_cancel_receipts": isinstance(request.user, User)
        and dossier.receiving_unit_id is not None
        and user_may_see_unit(request.user, FEE_ROLES, dossier.receiving_unit_id),
    }


def action_fields(
    action: workflow.Action, fields: tuple[str, ...], owed: int
) -> tuple[str, ...] | None:
    """The fields of an action's form given what is owed; None when there is no form.

    Nothing owed: no pay form at all, and confirming a payment asks for no amount (it was
    paid already, online or at the counter)."""
    if owed == 0 and action is workflow.Action.PAY:
        return None
    if owed == 0 and action is workflow.Action.CONFIRM_PAYMENT:
        return ()
    return fields
