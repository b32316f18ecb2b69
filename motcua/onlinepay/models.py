"""Online payments: the intent to pay a dossier's fees through a gateway, and every message the
gateways sent about it (the audit of forged, replayed and late callbacks).

What was paid stays in ``payments``' append-only ledger: an intent that is paid records its
payment there through the dossier's PAY action, once, under the intent's row lock.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.onlinepay.choices import IntentStatus, MessageKind, Outcome, Provider


class PaymentIntent(models.Model):
    """One attempt to pay what a dossier owed, through one gateway, under a unique reference.

    The amount is fixed when the intent is made (đồng, an integer); a callback with another
    amount is refused. ``provider_transaction`` is the gateway's transaction number, set when
    it says the intent is paid: a second payment of the same intent is a duplicate, never a
    second ledger entry.
    """

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="payment_intents",
    )
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    provider = models.CharField(_("gateway"), max_length=20, choices=Provider.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=IntentStatus.choices, default=IntentStatus.CREATED
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    provider_transaction = models.CharField(
        _("gateway's transaction number"), max_length=64, blank=True
    )
    payment_url = models.TextField(_("payment address"), blank=True)

    class Meta:
        verbose_name = _("online payment intent")
        verbose_name_plural = _("online payment intents")
        ordering = ["created_at", "id"]
        constraints = [
            # A gateway's transaction pays one intent at most.
            models.UniqueConstraint(
                fields=["provider", "provider_transaction"],
                condition=~Q(provider_transaction=""),
                name="onlinepay_intent_transaction_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} đ {self.status}"


class ProviderMessage(models.Model):
    """A message a gateway sent (callback, browser return, status answer), kept as received.

    Append-only: written once with what it did (applied, duplicate, refused and why); a forged
    or replayed callback is logged here and changes nothing else.
    """

    provider = models.CharField(_("gateway"), max_length=20, choices=Provider.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    intent = models.ForeignKey(
        PaymentIntent,
        verbose_name=_("intent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    raw = models.JSONField(_("message as received"))
    signature_valid = models.BooleanField(_("signature valid"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("gateway message")
        verbose_name_plural = _("gateway messages")
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.reference} {self.outcome}"
