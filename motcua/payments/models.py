from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.payments.choices import PaymentEventKind, PaymentMethod


class Payment(models.Model):
    """A financial obligation of a dossier (fee, charge, tax): what is owed and why.

    What was paid is never stored here: it is the sum of the obligation's events (house style
    R10), so refunds and reconciliation keep their history.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.PositiveBigIntegerField(_("amount due (đồng)"))
    description = models.CharField(_("description"), max_length=300)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("financial obligation")
        verbose_name_plural = _("financial obligations")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.amount} đ"


class PaymentEvent(models.Model):
    """One append-only fact about an obligation: paid (how, reference), failed, refunded."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("obligation"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentEventKind.choices)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.kind} {self.amount} đ"
