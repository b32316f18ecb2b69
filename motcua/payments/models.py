"""Fees owed and paid for dossiers, and the numbered receipts issued for them.

An obligation (``Payment``) says what is owed; ``PaymentEvent`` rows are the append-only ledger
of what happened to it; a ``Receipt`` is the numbered paper (biên lai) given for one collection,
numbered in its agency's ``ReceiptBook`` without gaps.
"""

from __future__ import annotations

from django.conf import settings
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


class ReceiptBook(models.Model):
    """A book (quyển) of fee receipts of one agency in one calendar year.

    Its receipts are numbered 1, 2, 3… with no gap and no repeat: ``last_number`` is taken
    under a row lock in the same transaction as the payment it numbers, so concurrent
    collectors queue and a rolled-back payment gives its number back. An agency's current
    book for a year is the one opened last; without one, a book labelled with the year is
    opened at the first payment. The label and the moment a new book starts are the
    agency's to set (not fixed by law as far as we know: spec §1.4 step 6 [NC]), through the
    admin or ``payments.services.receipt_book_open``.
    """

    agency = models.ForeignKey(
        "units.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="receipt_books",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    label = models.CharField(_("book number (quyển số)"), max_length=20)
    last_number = models.PositiveIntegerField(_("last receipt number"), default=0)
    opened_at = models.DateTimeField(_("opened at"))

    class Meta:
        verbose_name = _("receipt book")
        verbose_name_plural = _("receipt books")
        ordering = ["agency", "year", "opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "label"], name="payments_receipt_book_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.label}: {self.last_number}"


class Receipt(models.Model):
    """The receipt (biên lai thu phí, lệ phí) of one collection for a dossier.

    Numbered in its book; names who collected, as they were named and placed when they did
    (a later change of name or position does not change a receipt already given). No
    collector means the applicant paid online. Its amount is the sum of its events.
    A cancelled receipt is kept (printed "ĐÃ HỦY"); its replacement has a new number, names
    it in ``replaces`` and carries its amounts as "reissued" events.
    """

    book = models.ForeignKey(
        ReceiptBook,
        verbose_name=_("receipt book"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    number = models.PositiveIntegerField(_("receipt number"))
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts_collected",
    )
    collector_name = models.CharField(_("collector's name"), max_length=200, blank=True)
    collector_position = models.CharField(_("collector's position"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("time of the receipt"))
    # Cancel-and-replace (Decree 123/2020: a wrong receipt is cancelled, never edited or
    # deleted): the cancelled receipt stays, marked, and its replacement names it.
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts_cancelled",
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("fee receipt")
        verbose_name_plural = _("fee receipts")
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "number"], name="payments_receipt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.book.label}/{self.number}"


class PaymentEvent(models.Model):
    """One append-only fact about an obligation: paid (how, reference), failed, refunded.

    A payment taken through ``payments.services.payment_collect`` belongs to the numbered
    receipt given for it; payments imported from history have none (unnumbered, docs/payments.md).
    """

    payment = models.ForeignKey(
        Payment, verbose_name=_("obligation"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentEventKind.choices)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"))
    receipt = models.ForeignKey(
        Receipt,
        verbose_name=_("receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.kind} {self.amount} đ"
