"""The enums of online payment: gateways, where an intent stands, what a gateway's message did."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    """The gateway an intent is paid through (docs/payments.md "Online payment")."""

    NATIONAL = "national", _("National payment platform")
    VNPAY = "vnpay", _("VNPay")
    VIETQR = "vietqr", _("VietQR bank transfer")


class IntentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Waiting for the gateway")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# An intent the gateway may still settle: a callback or the poll may pay it.
OPEN_STATUSES = frozenset({IntentStatus.CREATED, IntentStatus.PENDING, IntentStatus.FAILED})


class MessageKind(models.TextChoices):
    """How a gateway's word reached us."""

    CALLBACK = "callback", _("Server-to-server callback (IPN)")
    RETURN = "return", _("Browser return")
    POLL = "poll", _("Status query answer")


class Outcome(models.TextChoices):
    """What a gateway's message did to its intent."""

    APPLIED = "applied", _("Applied")
    DUPLICATE = "duplicate", _("Duplicate, nothing changed")
    REFUSED = "refused", _("Refused, nothing changed")
    NOTED = "noted", _("Noted (shown only, or no change of state)")


class Refusal(models.TextChoices):
    """Why a message was refused; each maps to the gateway's own answer code."""

    SIGNATURE = "signature", _("invalid signature")
    UNKNOWN = "unknown", _("unknown reference")
    AMOUNT = "amount", _("amount differs from the intent")
    STATE = "state", _("the intent is cancelled or expired")
    OTHER_PAYMENT = "other_payment", _("the intent was already paid by another transaction")
    DOSSIER = "dossier", _("the dossier refused the payment")
    MALFORMED = "malformed", _("malformed message")
