"""E-receipts (issue 13 item 4): separate lines for phí and lệ phí, and cancel-and-replace that
keeps both receipts (the cancelled one printed "ĐÃ HỦY", the replacement numbered anew and
naming it). Refusals change nothing and take no number."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from motcua.catalog.models import FeeItem, FeeKind, fee_kind_of
from motcua.core import workflow
from motcua.documents import printouts
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.conftest import local
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)
from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.payments.errors import InvalidInput
from motcua.payments.models import PaymentEvent, Receipt, ReceiptBook
from motcua.payments.selectors import (
    ReceiptLine,
    amount_owed,
    dossier_receipts,
    fee_statement,
    receipt_event,
    receipt_lines,
)
from motcua.payments.services import receipt_cancel_replace


def pay(world, dossier, at: str, amount: int | None = None):
    return dossier_transition(
        dossier_id=dossier.pk,
        action=workflow.Action.PAY,
        actor=world.clerk,
        details=Details(amount=amount, payment_method=PaymentMethod.CASH),
        at=local(at),
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def schedule(world):
    FeeItem.objects.create(version=world.procedure, position=1, label="Lệ phí hộ tịch", amount=8000)
    FeeItem.objects.create(version=world.procedure, position=2, label="Phí thẩm định", amount=20000)


def test_a_fee_items_kind_defaults_from_its_label_and_can_be_set(world):
    assert fee_kind_of("Lệ phí cấp bản sao") == FeeKind.CHARGE
    assert fee_kind_of("LE PHI") == FeeKind.CHARGE
    assert fee_kind_of("Phí thẩm định") == FeeKind.FEE
    assert fee_kind_of("") == FeeKind.FEE
    schedule(world)
    set_by_hand = FeeItem.objects.create(
        version=world.procedure, position=3, label="Khoản khác", amount=1, kind=FeeKind.CHARGE
    )
    kinds = list(FeeItem.objects.order_by("position").values_list("kind", flat=True))
    assert kinds == [FeeKind.CHARGE, FeeKind.FEE, FeeKind.CHARGE]
    assert set_by_hand.kind == FeeKind.CHARGE


def test_a_receipt_paying_the_schedule_prints_a_line_per_fee_and_charge(world):
    schedule(world)
    dossier = world.create(at="02/01/2024 08:00")
    assert amount_owed(dossier.pk) == 28000
    pay(world, dossier, "02/01/2024 09:00")
    (row,) = dossier_receipts(dossier.pk)
    events = list(row.receipt.events.select_related("payment"))
    assert receipt_lines(events, dossier.pk) == [
        ReceiptLine(FeeKind.CHARGE, "Lệ phí hộ tịch", 8000),
        ReceiptLine(FeeKind.FEE, "Phí thẩm định", 20000),
    ]
    text = pdf_text(printouts.fee_receipt(receipt_event(dossier.pk, row.pk)))
    assert "Lệ phí: Lệ phí hộ tịch: 8.000 đ" in text
    assert "Phí: Phí thẩm định: 20.000 đ" in text
    assert "Số tiền: 28.000 đ" in text


def test_a_part_payment_is_one_line_the_catalogue_cannot_split(world):
    schedule(world)
    dossier = world.create(at="02/01/2024 08:00")
    pay(world, dossier, "02/01/2024 09:00", amount=10000)
    (row,) = dossier_receipts(dossier.pk)
    (line,) = receipt_lines(row.receipt.events.select_related("payment"), dossier.pk)
    assert (line.kind, line.amount) == ("", 10000)  # two kinds in the schedule: not guessed


def test_cancel_and_replace_keeps_both_with_a_new_number(world):
    schedule(world)
    dossier = world.create(at="02/01/2024 08:00")
    pay(world, dossier, "02/01/2024 09:00")
    original = Receipt.objects.get()
    paid_before = fee_statement(dossier.pk).paid

    replacement = receipt_cancel_replace(
        receipt_id=original.pk,
        reason="  Ghi sai tên người nộp ",
        user=world.clerk,
        at=local("02/01/2024 10:00"),
    )

    original.refresh_from_db()
    assert (original.cancelled_at, original.cancelled_by, original.cancel_reason) == (
        local("02/01/2024 10:00"),
        world.clerk,
        "Ghi sai tên người nộp",
    )
    assert (replacement.number, replacement.replaces, replacement.book) == (
        2,
        original,
        original.book,
    )
    assert replacement.collector_name == original.collector_name  # who took the money
    # No money moved: nothing paid or owed changed; the ledger only grew.
    assert fee_statement(dossier.pk).paid == paid_before == 28000
    assert amount_owed(dossier.pk) == 0
    assert [e.kind for e in PaymentEvent.objects.order_by("id")] == [
        PaymentEventKind.SUCCEEDED,
        PaymentEventKind.REISSUED,
    ]
    rows = dossier_receipts(dossier.pk)
    assert [(r.receipt.number, r.amount) for r in rows] == [(1, 28000), (2, 28000)]

    cancelled = pdf_text(printouts.fee_receipt(receipt_event(dossier.pk, rows[0].pk)))
    assert "ĐÃ HỦY" in cancelled
    assert "Ghi sai tên người nộp" in cancelled
    assert "Số: 0000001" in cancelled
    new = pdf_text(printouts.fee_receipt(receipt_event(dossier.pk, rows[1].pk)))
    assert "ĐÃ HỦY" not in new
    assert "Số: 0000002" in new
    assert "Thay thế biên lai đã hủy: Quyển số 2024, Số 0000001" in new
    assert "Lệ phí: Lệ phí hộ tịch: 8.000 đ" in new
    assert "Thời gian nộp: lúc 09 giờ 00 phút, ngày 02/01/2024" in new  # when it was paid

    # The replacement can itself be cancelled and replaced: the chain keeps every receipt.
    third = receipt_cancel_replace(
        receipt_id=replacement.pk,
        reason="Sai địa chỉ",
        user=world.clerk,
        at=local("02/01/2024 11:00"),
    )
    assert (third.number, third.replaces_id) == (3, replacement.pk)
    assert [r.amount for r in dossier_receipts(dossier.pk)] == [28000, 28000, 28000]
    assert fee_statement(dossier.pk).paid == 28000


@pytest.mark.parametrize(
    ("reason", "field"), [("", "reason"), ("   ", "reason"), ("x" * 501, "reason")]
)
def test_a_cancel_without_a_fit_reason_changes_nothing(world, reason, field):
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    pay(world, dossier, "02/01/2024 09:00")
    receipt = Receipt.objects.get()
    with pytest.raises(InvalidInput) as caught:
        receipt_cancel_replace(
            receipt_id=receipt.pk, reason=reason, user=world.clerk, at=local("02/01/2024 10:00")
        )
    assert caught.value.field == field
    receipt.refresh_from_db()
    assert receipt.cancelled_at is None
    assert (Receipt.objects.count(), ReceiptBook.objects.get().last_number) == (1, 1)
    assert PaymentEvent.objects.count() == 1


def test_a_receipt_is_cancelled_once_and_an_unknown_one_is_named(world):
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    pay(world, dossier, "02/01/2024 09:00")
    receipt = Receipt.objects.get()
    receipt_cancel_replace(
        receipt_id=receipt.pk, reason="Sai", user=world.clerk, at=local("02/01/2024 10:00")
    )
    with pytest.raises(InvalidInput) as again:
        receipt_cancel_replace(
            receipt_id=receipt.pk, reason="Lần nữa", user=world.clerk, at=local("02/01/2024 10:05")
        )
    assert again.value.field == "receipt"
    assert "0000001" in again.value.message
    with pytest.raises(InvalidInput) as unknown:
        receipt_cancel_replace(
            receipt_id=999999, reason="Sai", user=world.clerk, at=local("02/01/2024 10:05")
        )
    assert unknown.value.field == "receipt"
    assert (Receipt.objects.count(), ReceiptBook.objects.get().last_number) == (2, 2)
