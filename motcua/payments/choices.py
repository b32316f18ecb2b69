from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    """How a financial obligation was paid (§1.4 step 6; 766 DuocThanhToanTrucTuyen [S])."""

    CASH = "cash", _("Cash at the counter")
    ONLINE_NATIONAL = "online_national", _("Online, national public service portal")
    ONLINE_LOCAL = "online_local", _("Online, local payment gateway")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")


# 766 indicator 3.6 counts both online channels (codes 1 = DVCQG, 2 = local portal).
ONLINE_METHODS = frozenset({PaymentMethod.ONLINE_NATIONAL, PaymentMethod.ONLINE_LOCAL})


class PaymentEventKind(models.TextChoices):
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    # Not money: the payment's receipt was cancelled and this event carries the same amount on
    # the replacement receipt (``payments.services.receipt_cancel_replace``). What is paid
    # counts payments and refunds only, so a reissue changes no total.
    REISSUED = "reissued", _("Receipt reissued")
