"""Reads of fees: what a dossier owes, and the receipts given for what it paid.

The one home of "how much is still owed" (house style: one home per rule). Every page, e-mail,
command and the write path itself ask :func:`fee_statement` or :func:`amount_owed`; nobody
adds up ledger events elsewhere.

What is owed comes from the dossier's financial obligations (``Payment``): the catalogue's fees
of its procedure version become one at reception (``dossiers.services.dossier_create``; an
exemption or a fee set by the clerk replaces them), and an officer's payment request adds
another (§1.4 step 6). The catalogue's fee lines are shown beside them for reference.
What was paid is the obligation's ledger: payments count, refunds give back (the money is
owed again), failed attempts count nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q

from motcua.catalog.models import FeeItem, fee_kind_of
from motcua.payments.choices import PaymentEventKind
from motcua.payments.models import Payment, PaymentEvent, Receipt


@dataclass(frozen=True)
class FeeLine:
    """One line of the procedure version's fee schedule in the catalogue (phí, lệ phí)."""

    label: str
    amount: int


@dataclass(frozen=True)
class Obligation:
    """One financial obligation of the dossier and where it stands, in đồng."""

    payment_id: int
    description: str
    amount: int
    paid: int

    @property
    def outstanding(self) -> int:
        return max(self.amount - self.paid, 0)


@dataclass(frozen=True)
class FeeStatement:
    """A dossier's fees: the catalogue's schedule, its obligations, what is paid and owed."""

    schedule: tuple[FeeLine, ...]
    obligations: tuple[Obligation, ...]

    @property
    def due(self) -> int:
        return sum(o.amount for o in self.obligations)

    @property
    def paid(self) -> int:
        return sum(o.paid for o in self.obligations)

    @property
    def owed(self) -> int:
        return sum(o.outstanding for o in self.obligations)

    @property
    def unpaid(self) -> tuple[Obligation, ...]:
        """The obligations with something left to pay, oldest first (a payment fills them in
        this order)."""
        return tuple(o for o in self.obligations if o.outstanding > 0)


def net_paid(events: Iterable[PaymentEvent]) -> int:
    """Đồng an obligation's ledger holds: payments minus refunds; failed attempts count nothing."""
    total = 0
    for event in events:
        if event.kind == PaymentEventKind.SUCCEEDED:
            total += event.amount
        elif event.kind == PaymentEventKind.REFUNDED:
            total -= event.amount
    return total


def fee_statement(dossier_id: int) -> FeeStatement:
    """Where the dossier's fees stand now (two queries, plus one for the catalogue's lines)."""
    payments = (
        Payment.objects.filter(dossier_id=dossier_id)
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("events", queryset=PaymentEvent.objects.order_by("at", "id")))
    )
    obligations = tuple(
        Obligation(
            payment_id=p.pk,
            description=p.description,
            amount=p.amount,
            paid=net_paid(p.events.all()),
        )
        for p in payments
    )
    schedule = tuple(
        FeeLine(label=item.label, amount=item.amount)
        for item in FeeItem.objects.filter(version__dossiers__pk=dossier_id).order_by("position")
    )
    return FeeStatement(schedule=schedule, obligations=obligations)


def amount_owed(dossier_id: int) -> int:
    """Đồng the dossier still owes (0 when nothing is owed)."""
    return fee_statement(dossier_id).owed


# The events a receipt is printed for: payments, and the reissues a replacement receipt
# carries (a reissue without a receipt, from an imported history, prints nothing).
_RECEIPTED = Q(kind=PaymentEventKind.SUCCEEDED) | Q(
    kind=PaymentEventKind.REISSUED, receipt__isnull=False
)


@dataclass(frozen=True)
class ReceiptRow:
    """A payment as the dossier page lists it: a numbered receipt, or (``receipt`` None) a
    payment imported from history, printed as an unnumbered receipt."""

    event_id: int  # the first payment event of the receipt: the print link's id
    amount: int
    at: datetime
    receipt: Receipt | None

    @property
    def pk(self) -> int:
        return self.event_id


def dossier_receipts(dossier_id: int) -> list[ReceiptRow]:
    """The dossier's payments, one row per receipt (or per unnumbered historical payment),
    in the order they were made."""
    events = (
        PaymentEvent.objects.filter(payment__dossier_id=dossier_id)
        .filter(_RECEIPTED)
        .select_related("receipt__book", "receipt__collector", "receipt__replaces__book")
        .order_by("at", "id")
    )
    rows: list[ReceiptRow] = []
    seen: dict[int, int] = {}  # receipt id -> index in rows
    for event in events:
        if event.receipt_id is None:
            rows.append(ReceiptRow(event.pk, event.amount, event.at, None))
        elif event.receipt_id in seen:
            index = seen[event.receipt_id]
            row = rows[index]
            rows[index] = ReceiptRow(row.event_id, row.amount + event.amount, row.at, row.receipt)
        else:
            seen[event.receipt_id] = len(rows)
            rows.append(ReceiptRow(event.pk, event.amount, event.at, event.receipt))
    return rows


def receipt_event(dossier_id: int, event_id: int) -> PaymentEvent | None:
    """The dossier's successful payment ``event_id`` with its receipt, or None."""
    return (
        PaymentEvent.objects.filter(pk=event_id, payment__dossier_id=dossier_id)
        .filter(_RECEIPTED)
        .select_related(
            "receipt__book", "receipt__collector", "receipt__replaces__book", "payment__dossier"
        )
        .first()
    )


@dataclass(frozen=True)
class ReceiptLine:
    """One line of a printed receipt: a fee (phí) or a charge (lệ phí), or (kind "") an
    amount the catalogue does not split, such as an officer's payment request."""

    kind: str
    label: str
    amount: int


def receipt_lines(events: Iterable[PaymentEvent], dossier_id: int) -> list[ReceiptLine]:
    """What a receipt's events paid, as lines of phí and lệ phí (the catalogue's lines).

    An event that paid its whole obligation, when that obligation is the catalogue's fee
    schedule (the same total), is split into the schedule's lines with their kinds. Any other
    event (a part payment, a fee set by the clerk, an officer's request) is one line with the
    obligation's description, of the schedule's kind when the schedule has only one kind:
    motcua cannot split what the catalogue does not describe.
    """
    schedule = list(FeeItem.objects.filter(version__dossiers__pk=dossier_id).order_by("position"))
    total = sum(item.amount for item in schedule)
    kinds = {item.kind or fee_kind_of(item.label) for item in schedule}
    lines: list[ReceiptLine] = []
    for event in events:
        obligation = event.payment
        if schedule and event.amount == obligation.amount == total:
            lines.extend(
                ReceiptLine(
                    item.kind or fee_kind_of(item.label),
                    item.label or obligation.description,
                    item.amount,
                )
                for item in schedule
                if item.amount > 0
            )
        else:
            kind = next(iter(kinds)) if len(kinds) == 1 else ""
            lines.append(ReceiptLine(kind, obligation.description, event.amount))
    return lines
