"""Writes of financial obligations and payments. Called inside the dossier's transaction."""

from __future__ import annotations

from datetime import datetime

from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.payments.models import Payment, PaymentEvent


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
    """Append a successful payment to an obligation."""
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
