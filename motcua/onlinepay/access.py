"""Who may reconcile statements and cancel receipts (house style: access functions).

Reconciling is the fee staff's and the leaders' work: a one-stop clerk or a unit leader
anywhere (a gateway's or the beneficiary account's statement covers the whole installation),
or an administrator. Cancelling a receipt is for a clerk or leader of the unit that received
the dossier: the one-stop desk that collected (Decree 61 Art. 8)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from motcua.accounts.access import is_administrator, user_may_see_unit, user_roles
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.dossiers.access import dossier_list_for_user
from motcua.onlinepay.errors import OnlinePayError
from motcua.payments.models import Receipt

FEE_ROLES = (Role.CLERK, Role.LEADER)


class ReceiptNotFound(OnlinePayError):
    """No such receipt, or one the user may not see: both answer 404."""


def reconciliation_allowed(user: User) -> bool:
    """May the user upload a statement and see the differences (and record VietQR transfers)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_administrator(user) or bool(user_roles(user) & set(FEE_ROLES))


def receipt_get_for_user(*, user: User, receipt_id: int) -> Receipt:
    """The receipt if the user sees its dossier; else ``ReceiptNotFound``."""
    visible = dossier_list_for_user(user).values("pk")
    receipt = (
        Receipt.objects.filter(pk=receipt_id, dossier__in=visible)
        .select_related("dossier", "book")
        .first()
    )
    if receipt is None:
        raise ReceiptNotFound(_("no such receipt"), field="receipt")
    return receipt


def receipt_cancel_allowed(user: User, receipt: Receipt) -> bool:
    """A clerk or leader of the unit that received the dossier (or an administrator)."""
    unit_id = receipt.dossier.receiving_unit_id
    return unit_id is not None and user_may_see_unit(user, FEE_ROLES, unit_id)
