"""Writes of financial obligations, payments and receipts. Called inside the dossier's transaction.

A collection (:func:`payment_collect`) is checked against what is still owed
(``payments.selectors.fee_statement``, the one home of that rule), appended to the ledger and
given the next receipt number of the agency's current book, all in the caller's transaction:
the dossier write path holds the dossier's row lock, so two collections for one dossier queue
and the second sees what the first paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.lib.formatting import format_money, nfc
from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.payments.errors import InvalidInput
from motcua.payments.models import Payment, PaymentEvent, Receipt, ReceiptBook
from motcua.payments.selectors import fee_statement
from motcua.units.models import Agency


def payment_obligation_create(
    *, dossier_id: int, amount: int, description: str, at: datetime
) -> Payment:
    """Record that the dossier owes ``amount`` đồng."""
    payment = Payment(dossier_id=dossier_id, amount=amount, description=description, created_at=at)
    payment.full_clean(exclude=["dossier"])
    payment.save()
    return payment


def payment_record(
    *, payment: Payment, amount: int, method: PaymentMethod, reference: str, at: datetime
) -> PaymentEvent:
    """Append a successful payment to an obligation, without a receipt (imports, fixtures).

    Money taken for a dossier goes through :func:`payment_collect`, which checks what is
    owed and numbers the receipt."""
    event = PaymentEvent(
        payment=payment,
        kind=PaymentEventKind.SUCCEEDED,
        amount=amount,
        method=method,
        reference=reference,
        at=at,
    )
    event.full_clean()
    event.save()
    return event


# -- receipt books ---------------------------------------------------------------------------


def receipt_book_open(*, agency: Agency, year: int, label: str, at: datetime) -> ReceiptBook:
    """Open a new receipt book for the agency's year: its receipts start again at 1.

    The agency's choice of book number (quyển số) is kept as typed (NFC, trimmed); the same
    label twice in a year is refused."""
    label = nfc(label.strip())
    if not label:
        raise InvalidInput(_("the book number is required"), field="label")
    if len(label) > 20:
        raise InvalidInput(_("the book number has at most 20 characters"), field="label")
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("the year must be between 2000 and 2100"), field="year")
    try:
        with transaction.atomic():
            return ReceiptBook.objects.create(agency=agency, year=year, label=label, opened_at=at)
    except IntegrityError:
        raise InvalidInput(
            _("book %(label)s of %(year)s already exists for this agency")
            % {"label": label, "year": year},
            field="label",
        ) from None


def _current_book_id(agency_id: int, year: int, at: datetime) -> int:
    """The agency's book for the year (the one opened last); the first payment of a year
    opens one labelled with the year. Concurrent first payments open it once: the loser of
    the insert waits for the winner's commit and then reads its row."""
    book_id = (
        ReceiptBook.objects.filter(agency_id=agency_id, year=year)
        .order_by("-opened_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    if book_id is None:
        ReceiptBook.objects.bulk_create(
            [ReceiptBook(agency_id=agency_id, year=year, label=str(year), opened_at=at)],
            ignore_conflicts=True,
        )
        book_id = ReceiptBook.objects.get(agency_id=agency_id, year=year, label=str(year)).pk
    return book_id


def receipt_number_take(*, agency_id: int, at: datetime) -> tuple[ReceiptBook, int]:
    """The next number of the agency's current book for the year of ``at`` (Vietnam time).

    The book's row stays locked (``select_for_update``) until the caller's transaction ends:
    concurrent collectors of the agency queue for it, and a payment rolled back after taking
    a number gives it back, so the book has neither gaps nor repeats."""
    year = timezone.localtime(at).year
    book_id = _current_book_id(agency_id, year, at)
    book = ReceiptBook.objects.select_for_update().get(pk=book_id)
    book.last_number += 1
    book.save(update_fields=["last_number"])
    return book, book.last_number


# -- collecting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collected:
    """What a collection wrote: the receipt and its ledger events (one per obligation)."""

    receipt: Receipt
    events: tuple[PaymentEvent, ...]


def payment_collect(
    *,
    dossier_id: int,
    agency_id: int,
    amount: int | None,
    method: PaymentMethod | None,
    reference: str,
    collector: User | None,
    at: datetime,
) -> Collected:
    """Take ``amount`` đồng for the dossier (all that is owed when None) and give a receipt.

    Refused, with nothing written, when nothing is owed, when the amount is not above zero
    or is more than is owed, or when how it was paid is missing. The money fills the oldest
    obligations first. The receipt is numbered in ``agency_id``'s current book (the agency
    that collects: the dossier's one-stop desk, Decree 61 Art. 8) and names ``collector``
    (None: the applicant paid online). Runs in the caller's transaction, which must hold the
    dossier's row lock.
    """
    if method is None:
        raise InvalidInput(_("how it was paid is required"), field="payment_method")
    statement = fee_statement(dossier_id)
    owed = statement.owed
    if owed == 0:
        raise InvalidInput(_("this dossier owes nothing"), field="payment")
    amount = owed if amount is None else amount
    if amount <= 0:
        raise InvalidInput(_("the amount must be greater than zero"), field="amount")
    if amount > owed:
        raise InvalidInput(
            _("%(amount)s is more than the %(owed)s still owed")
            % {"amount": format_money(amount), "owed": format_money(owed)},
            field="amount",
        )
    reference = nfc(reference.strip())
    if len(reference) > 100:
        raise InvalidInput(
            _("the receipt or transaction number has at most 100 characters"),
            field="payment_reference",
        )
    book, number = receipt_number_take(agency_id=agency_id, at=at)
    receipt = Receipt.objects.create(
        book=book,
        number=number,
        dossier_id=dossier_id,
        collector=collector,
        collector_name=(collector.full_name or collector.username) if collector else "",
        collector_position=collector.position if collector else "",
        issued_at=at,
    )
    events = []
    left = amount
    for obligation in statement.unpaid:
        part = min(left, obligation.outstanding)
        event = PaymentEvent(
            payment_id=obligation.payment_id,
            kind=PaymentEventKind.SUCCEEDED,
            amount=part,
            method=method,
            reference=reference,
            at=at,
            receipt=receipt,
        )
        event.full_clean(exclude=["payment", "receipt"])
        events.append(event)
        left -= part
        if left == 0:
            break
    PaymentEvent.objects.bulk_create(events)
    return Collected(receipt=receipt, events=tuple(events))


# -- cancel and replace ----------------------------------------------------------------------

MAX_REASON_CHARS = 500


def receipt_cancel_replace(
    *, receipt_id: int, reason: str, user: User | None, at: datetime
) -> Receipt:
    """Cancel a receipt and issue its replacement; returns the replacement.

    A receipt given is never edited or deleted (Decree 123/2020 on vouchers): the cancelled
    one is kept, marked with who cancelled it, when and why, and prints "ĐÃ HỦY"; the
    replacement takes the next number of the agency's current book, names the cancelled one
    (``replaces``) and carries its amounts as "reissued" events (no money moves, so nothing
    owed or paid changes). The collector stays the one who took the money.

    Refused, with nothing written and no number taken, when the reason is missing or longer
    than 500 characters, or the receipt does not exist or is already cancelled. The
    receipt's row is locked first: of two cancels at once, one wins and the other is told.
    """
    reason = nfc(reason.strip())
    if not reason:
        raise InvalidInput(_("the reason for cancelling is required"), field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(
            _("the reason has at most %(count)s characters") % {"count": MAX_REASON_CHARS},
            field="reason",
        )
    with transaction.atomic():
        receipt = (
            Receipt.objects.select_for_update().select_related("book").filter(pk=receipt_id).first()
        )
        if receipt is None:
            raise InvalidInput(_("no such receipt"), field="receipt")
        if receipt.cancelled_at is not None:
            raise InvalidInput(
                _("receipt No. %(number)s was already cancelled")
                % {"number": f"{receipt.number:07d}"},
                field="receipt",
            )
        book, number = receipt_number_take(agency_id=receipt.book.agency_id, at=at)
        replacement = Receipt.objects.create(
            book=book,
            number=number,
            dossier_id=receipt.dossier_id,
            collector_id=receipt.collector_id,
            collector_name=receipt.collector_name,
            collector_position=receipt.collector_position,
            issued_at=at,
            replaces=receipt,
        )
        PaymentEvent.objects.bulk_create(
            [
                PaymentEvent(
                    payment_id=event.payment_id,
                    kind=PaymentEventKind.REISSUED,
                    amount=event.amount,
                    method=event.method,
                    reference=event.reference,
                    # When it was paid, which the replacement prints; the reissue's own
                    # moment is the replacement's issued_at.
                    at=event.at,
                    receipt=replacement,
                )
                for event in receipt.events.filter(
                    kind__in=[PaymentEventKind.SUCCEEDED, PaymentEventKind.REISSUED]
                ).order_by("id")
            ]
        )
        receipt.cancelled_at = at
        receipt.cancelled_by = user
        receipt.cancel_reason = reason
        receipt.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    return replacement
