"""What a dossier owes (the one selector), collecting it, and numbered receipts (issue 10 item 5).

Through the dossier write path, as the counter and the portal call it: the amount owed from the
catalogue's fees and the obligations, partial payments, refunds, nothing owed; refusals change
nothing and take no receipt number; receipts numbered per agency, book and year without gaps.
"""

from __future__ import annotations

import io

import pytest
from django.db import transaction

from motcua.accounts.services import user_create_or_update
from motcua.catalog.models import FeeItem
from motcua.core import workflow
from motcua.dossiers import notifications
from motcua.dossiers.choices import Channel
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Details, dossier_transition
from motcua.dossiers.tests.conftest import local
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)
from motcua.payments import errors as payment_errors
from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.payments.models import Payment, PaymentEvent, Receipt, ReceiptBook
from motcua.payments.selectors import amount_owed, dossier_receipts, fee_statement
from motcua.payments.services import receipt_book_open

A = workflow.Action
CASH = PaymentMethod.CASH


def pay(world, dossier, at, *, amount=None, actor=None, as_applicant=False, method=CASH):
    return dossier_transition(
        dossier_id=dossier.pk,
        action=A.PAY,
        actor=None if as_applicant else (actor or world.clerk),
        as_applicant=as_applicant,
        details=Details(amount=amount, payment_method=method, payment_reference=""),
        at=local(at),
    )


def payment_requested(world, dossier, reason: str, amount: int):
    """The clerk transfers the dossier at 09:00; at 10:00 its officer asks for ``amount`` more."""
    dossier = dossier_transition(
        dossier_id=dossier.pk, action=A.TRANSFER, actor=world.clerk, at=local("02/01/2024 09:00")
    )
    return dossier_transition(
        dossier_id=dossier.pk,
        action=A.REQUEST_PAYMENT,
        actor=world.officer,
        reason=reason,
        details=Details(amount=amount),
        at=local("02/01/2024 10:00"),
    )


def receipt_numbers(dossier) -> list[tuple[str, int, int]]:
    return [
        (r.book.label, r.book.year, r.number)
        for r in Receipt.objects.filter(dossier=dossier).order_by("id")
    ]


def written(dossier) -> tuple[int, int, int, int]:
    """What a refusal must leave as it was."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.version,
        PaymentEvent.objects.filter(payment__dossier=dossier).count(),
        Receipt.objects.count(),
        sum(ReceiptBook.objects.values_list("last_number", flat=True)),
    )


# -- the one selector -----------------------------------------------------------------------


def test_the_amount_owed_comes_from_the_catalogue_fees(world):
    FeeItem.objects.create(version=world.procedure, position=1, label="Lệ phí", amount=30000)
    FeeItem.objects.create(version=world.procedure, position=2, label="Phí thẩm định", amount=20000)
    dossier = world.create(at="02/01/2024 08:00")
    statement = fee_statement(dossier.pk)
    assert [(line.label, line.amount) for line in statement.schedule] == [
        ("Lệ phí", 30000),
        ("Phí thẩm định", 20000),
    ]
    assert (statement.due, statement.paid, statement.owed) == (50000, 0, 50000)
    assert amount_owed(dossier.pk) == 50000
    # An exemption set at reception replaces the catalogue's fees: the schedule stays shown.
    exempt = world.create(at="02/01/2024 08:10", fee=0)
    statement = fee_statement(exempt.pk)
    assert (len(statement.schedule), statement.obligations, statement.owed) == (2, (), 0)


def test_partial_payments_refunds_and_failures_net_out(world):
    dossier = world.create(at="02/01/2024 08:00", fee=100000)
    pay(world, dossier, "02/01/2024 08:05", amount=40000)
    assert amount_owed(dossier.pk) == 60000
    payment = Payment.objects.get(dossier=dossier)
    # The ledger also holds failed attempts (count nothing) and refunds (owed again).
    for kind, amount in ((PaymentEventKind.FAILED, 60000), (PaymentEventKind.REFUNDED, 10000)):
        PaymentEvent.objects.create(
            payment=payment, kind=kind, amount=amount, method=CASH, at=local("02/01/2024 08:06")
        )
    statement = fee_statement(dossier.pk)
    assert (statement.due, statement.paid, statement.owed) == (100000, 30000, 70000)
    pay(world, dossier, "02/01/2024 08:10")  # no amount: all that is owed
    assert amount_owed(dossier.pk) == 0
    assert [row.amount for row in dossier_receipts(dossier.pk)] == [40000, 70000]


def test_a_payment_fills_the_oldest_obligation_first_under_one_receipt(world):
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    dossier = payment_requested(world, dossier, "Thuế trước bạ", 70000)
    assert amount_owed(dossier.pk) == 120000
    dossier = dossier_transition(
        dossier_id=dossier.pk,
        action=A.CONFIRM_PAYMENT,
        actor=world.clerk,
        details=Details(amount=100000, payment_method=CASH),
        at=local("02/01/2024 10:30"),
    )
    statement = fee_statement(dossier.pk)
    assert [(o.amount, o.paid) for o in statement.obligations] == [(50000, 50000), (70000, 50000)]
    (row,) = dossier_receipts(dossier.pk)
    assert (row.amount, row.receipt.number) == (100000, 1)
    assert row.receipt.events.count() == 2
    event = dossier.events.get(action=A.CONFIRM_PAYMENT)
    assert event.data["payment"]["amount"] == 100000
    assert event.data["payment"]["receipt"] == "2024/1"


def test_the_applicants_e_mail_tells_the_same_amount_owed(world):
    dossier = world.create(
        at="02/01/2024 08:00",
        fee=80000,
        applicant=Applicant(name="Lý Thị Hà", email="ha@example.org"),
    )
    pay(world, dossier, "02/01/2024 08:05", amount=30000)
    PaymentEvent.objects.create(  # 5.000 đ given back: owed again
        payment=Payment.objects.get(dossier=dossier),
        kind=PaymentEventKind.REFUNDED,
        amount=5000,
        method=CASH,
        at=local("02/01/2024 08:06"),
    )
    assert amount_owed(dossier.pk) == 55000
    for action, actor, at in (
        (A.TRANSFER, world.clerk, "09:00"),
        (A.APPROVE, world.officer, "10:00"),
    ):
        dossier = dossier_transition(
            dossier_id=dossier.pk, action=action, actor=actor, at=local(f"02/01/2024 {at}")
        )
    message = notifications.notification_message(
        dossier.pk, A.APPROVE.value, dossier.last_event_seq
    )
    assert message is not None
    assert "55.000 đ" in message.body


# -- refusals change nothing ----------------------------------------------------------------


def test_nothing_owed_is_refused_and_changes_nothing(world):
    free = world.create(at="02/01/2024 08:00", fee=0)
    before = written(free)
    with pytest.raises(InvalidInput) as refused:
        pay(world, free, "02/01/2024 08:05", amount=10000)
    assert refused.value.field == "payment"
    assert written(free) == before
    assert ReceiptBook.objects.count() == 0


@pytest.mark.parametrize(("amount", "words"), [(0, "0"), (-5000, "0"), (100001, "100.001 đ")])
def test_a_non_positive_or_too_large_amount_is_refused_naming_the_field(world, amount, words):
    dossier = world.create(at="02/01/2024 08:00", fee=100000)
    pay(world, dossier, "02/01/2024 08:01", amount=1)  # the book exists, at number 1
    before = written(dossier)
    with pytest.raises(InvalidInput) as refused:
        pay(world, dossier, "02/01/2024 08:05", amount=amount)
    assert refused.value.field == "amount"
    assert words in refused.value.message
    assert written(dossier) == before
    if amount > 0:
        assert "99.999 đ" in refused.value.message  # what is still owed


def test_how_it_was_paid_is_required(world):
    dossier = world.create(at="02/01/2024 08:00", fee=100000)
    with pytest.raises(InvalidInput) as refused:
        pay(world, dossier, "02/01/2024 08:05", method=None)
    assert refused.value.field == "payment_method"
    assert Receipt.objects.count() == 0


def test_confirming_a_payment_already_made_needs_no_amount(world):
    dossier = world.create(at="02/01/2024 08:00", fee=0)
    dossier = payment_requested(world, dossier, "Phí thẩm định", 30000)
    pay(world, dossier, "02/01/2024 10:10", as_applicant=True, method=PaymentMethod.ONLINE_NATIONAL)
    dossier = dossier_transition(
        dossier_id=dossier.pk,
        action=A.CONFIRM_PAYMENT,
        actor=world.clerk,
        at=local("02/01/2024 10:20"),
    )
    assert dossier.status == "in_processing"
    assert Receipt.objects.filter(dossier=dossier).count() == 1


# -- receipts: numbers, books, collectors ------------------------------------------------------


def test_receipts_are_numbered_per_agency_book_and_year_without_gaps(world):
    city = [world.create(at=f"02/01/2024 08:0{n}", fee=10000) for n in range(3)]
    ward = world.create(
        at="02/01/2024 08:30", fee=10000, receiving_agency=world.ward_desk, actor=world.ward_clerk
    )
    for n, dossier in enumerate(city):
        pay(world, dossier, f"02/01/2024 09:0{n}", amount=4000)
    pay(world, ward, "02/01/2024 09:10", amount=4000, actor=world.ward_clerk)

    # A payment rolled back after it took its number gives the number back.
    def fails_after_paying() -> None:
        with transaction.atomic():
            pay(world, city[0], "02/01/2024 09:20", amount=1000)
            raise RuntimeError("the counter's transaction failed after the payment")

    with pytest.raises(RuntimeError):
        fails_after_paying()
    # A refused payment takes none.
    with pytest.raises(InvalidInput):
        pay(world, city[0], "02/01/2024 09:25", amount=999999)
    pay(world, city[0], "02/01/2024 09:30", amount=1000)
    numbers = [
        (r.book.agency.code, r.book.label, r.number)
        for r in Receipt.objects.select_related("book__agency").order_by("id")
    ]
    assert numbers == [
        ("BPMC-058", "2024", 1),
        ("BPMC-058", "2024", 2),
        ("BPMC-058", "2024", 3),
        ("BPMC-01840", "2024", 1),
        ("BPMC-058", "2024", 4),
    ]
    # A new year starts a new book at 1 (the book's label is the year unless set).
    pay(world, city[1], "02/01/2025 09:00", amount=1000)
    assert receipt_numbers(city[1])[-1] == ("2025", 2025, 1)
    # An agency may open a book of its own numbering: it starts again at 1.
    receipt_book_open(
        agency=world.city_desk, year=2025, label="02/2025", at=local("03/01/2025 07:00")
    )
    pay(world, city[2], "03/01/2025 09:00", amount=1000)
    assert receipt_numbers(city[2])[-1] == ("02/2025", 2025, 1)
    pay(world, city[1], "03/01/2025 09:05", amount=1000)
    assert receipt_numbers(city[1])[-1] == ("02/2025", 2025, 2)


def test_opening_a_book_checks_its_number(world):
    receipt_book_open(
        agency=world.city_desk, year=2026, label=" QS-01 ", at=local("02/01/2026 07:00")
    )
    for label, year in (("QS-01", 2026), ("", 2026), ("x" * 21, 2026), ("QS-02", 1999)):
        with pytest.raises(payment_errors.InvalidInput) as refused:
            receipt_book_open(
                agency=world.city_desk, year=year, label=label, at=local("02/01/2026 07:00")
            )
        assert refused.value.field in ("label", "year")
    assert list(ReceiptBook.objects.values_list("label", flat=True)) == ["QS-01"]


def test_the_receipt_names_the_collector_as_they_were(world):
    world.clerk.position = "Công chức Bộ phận Một cửa"
    world.clerk.full_name = "Hoàng Văn Thu"
    world.clerk.save()
    dossier = world.create(at="02/01/2024 08:00", fee=20000)
    pay(world, dossier, "02/01/2024 08:05", amount=5000)
    world.clerk.position = "Phó trưởng phòng"
    world.clerk.save()
    receipt = Receipt.objects.get(dossier=dossier)
    assert (receipt.collector, receipt.collector_name, receipt.collector_position) == (
        world.clerk,
        "Hoàng Văn Thu",
        "Công chức Bộ phận Một cửa",
    )
    online = world.create(channel=Channel.ONLINE, at="02/01/2024 08:00", fee=20000)
    pay(world, online, "02/01/2024 08:10", as_applicant=True, method=PaymentMethod.ONLINE_NATIONAL)
    receipt = Receipt.objects.get(dossier=online)
    assert (receipt.collector, receipt.collector_name, receipt.number) == (None, "", 2)


def test_imported_payments_are_listed_unnumbered(world):
    dossier = world.create(at="02/01/2024 08:00", fee=20000)
    payment = Payment.objects.get(dossier=dossier)
    PaymentEvent.objects.create(
        payment=payment,
        kind=PaymentEventKind.SUCCEEDED,
        amount=20000,
        method=CASH,
        at=local("02/01/2024 08:05"),
    )
    (row,) = dossier_receipts(dossier.pk)
    assert (row.receipt, row.amount) == (None, 20000)
    assert amount_owed(dossier.pk) == 0


def test_an_agency_opens_a_book_in_the_admin(world, client):
    admin_user = user_create_or_update(username="quantri", full_name="Quản trị", is_superuser=True)
    client.force_login(admin_user)
    url = "/admin/payments/receiptbook/add/"
    data = {"agency": world.city_desk.pk, "year": "2026", "label": "QS-07"}
    assert client.post(url, data).status_code == 302
    book = ReceiptBook.objects.get()
    assert (book.agency, book.year, book.label, book.last_number) == (
        world.city_desk,
        2026,
        "QS-07",
        0,
    )
    again = client.post(url, data)
    assert again.status_code == 200
    assert "cơ quan này đã có quyển số QS-07 của năm 2026" in again.content.decode()
    assert ReceiptBook.objects.count() == 1
    change = client.get(f"/admin/payments/receiptbook/{book.pk}/change/")
    assert 'name="_save"' not in change.content.decode()  # a book in use is not edited


def _printed(event) -> str:
    from pypdf import PdfReader

    from motcua.documents import printouts

    reader = PdfReader(io.BytesIO(printouts.fee_receipt(event)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_printed_receipts_online_several_obligations_and_imported(world):
    online = world.create(channel=Channel.ONLINE, at="02/01/2024 08:00", fee=20000)
    pay(world, online, "02/01/2024 08:10", as_applicant=True, method=PaymentMethod.ONLINE_NATIONAL)
    text = _printed(PaymentEvent.objects.get(payment__dossier=online))
    assert "Quyển số: 2024 Số: 0000001" in text
    assert "Người thu tiền: thu trực tuyến, không qua quầy" in text
    # One receipt for two obligations: the total and both purposes.
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    payment_requested(world, dossier, "Thuế trước bạ", 70000)
    pay(world, dossier, "02/01/2024 10:30")
    first, second = PaymentEvent.objects.filter(payment__dossier=dossier).order_by("id")
    text = _printed(second)
    assert text == _printed(first)  # either event prints its receipt
    assert "Quyển số: 2024 Số: 0000002" in text
    assert "Số tiền: 120.000 đ Bằng chữ: Một trăm hai mươi nghìn đồng" in text
    assert "Nội dung thu: Chứng thực hợp đồng, giao dịch; Thuế trước bạ" in text
    assert "Người thu tiền: Clerk" in text
    # Imported from history: printed, and said to be unnumbered.
    imported = world.create(at="02/01/2024 11:00", fee=10000)
    event = PaymentEvent.objects.create(
        payment=Payment.objects.get(dossier=imported),
        kind=PaymentEventKind.SUCCEEDED,
        amount=10000,
        method=CASH,
        at=local("02/01/2024 11:05"),
    )
    text = _printed(event)
    assert "Không đánh số (khoản nộp ghi nhận trước khi có sổ biên lai)" in text
    assert "Quyển số" not in text
