"""Two collectors at the same moment (PostgreSQL pass): distinct receipt numbers, one winner;
two cancels of one receipt: one replacement, the other told.

Each thread has its own connection, so the world they share is committed first (a
transactional test: the tables are emptied afterwards); a barrier starts their payments
together. SQLite serialises writers with ``BEGIN IMMEDIATE`` and its test database is in
memory, so these run in the PostgreSQL pass only (deselected, not skipped, under SQLite).
"""

from __future__ import annotations

import pytest

from motcua.accounts.choices import Role
from motcua.accounts.services import role_grant, user_create_or_update
from motcua.core import workflow
from motcua.dossiers.errors import DossierError, InvalidInput
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.world import build_world, local
from motcua.lib.tests.threads import together
from motcua.payments import errors as payment_errors
from motcua.payments.choices import PaymentMethod
from motcua.payments.models import PaymentEvent, Receipt, ReceiptBook
from motcua.payments.selectors import amount_owed
from motcua.payments.services import receipt_cancel_replace

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def pay(dossier_id: int, actor, amount: int, at: str):
    return lambda: dossier_transition(
        dossier_id=dossier_id,
        action=workflow.Action.PAY,
        actor=actor,
        details=Details(amount=amount, payment_method=PaymentMethod.CASH),
        at=local(at),
    )


def test_two_collectors_of_one_agency_get_consecutive_distinct_numbers():
    world = build_world()
    second_clerk = user_create_or_update(username="clerk2", full_name="Clerk Hai")
    role_grant(user=second_clerk, role=Role.CLERK, unit=world.city, agency=world.city_desk)
    first = world.create(at="02/01/2024 08:00", fee=50000)
    second = world.create(at="02/01/2024 08:01", fee=70000)
    outcomes = together(
        pay(first.pk, world.clerk, 50000, "02/01/2024 09:00"),
        pay(second.pk, second_clerk, 70000, "02/01/2024 09:00"),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    receipts = list(Receipt.objects.select_related("book").order_by("number"))
    assert [r.number for r in receipts] == [1, 2]
    assert {(r.dossier_id, r.collector_id) for r in receipts} == {
        (first.pk, world.clerk.pk),
        (second.pk, second_clerk.pk),
    }
    assert ReceiptBook.objects.get().last_number == 2
    assert (amount_owed(first.pk), amount_owed(second.pk)) == (0, 0)


def test_two_payments_of_a_dossiers_last_amount_one_wins_the_other_is_told():
    world = build_world()
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    outcomes = together(
        pay(dossier.pk, world.clerk, 50000, "02/01/2024 09:00"),
        pay(dossier.pk, world.clerk, 50000, "02/01/2024 09:00"),
    )
    won = [o for o in outcomes if not isinstance(o, Exception)]
    lost = [o for o in outcomes if isinstance(o, DossierError)]
    assert (len(won), len(lost)) == (1, 1), outcomes
    assert isinstance(lost[0], InvalidInput)
    assert lost[0].message == "hồ sơ này không còn khoản phải nộp"
    assert PaymentEvent.objects.filter(payment__dossier=dossier).count() == 1
    assert list(Receipt.objects.values_list("number", flat=True)) == [1]
    assert amount_owed(dossier.pk) == 0


def test_two_cancels_of_one_receipt_one_wins_the_other_is_told():
    world = build_world()
    dossier = world.create(at="02/01/2024 08:00", fee=50000)
    pay(dossier.pk, world.clerk, 50000, "02/01/2024 09:00")()
    receipt = Receipt.objects.get()

    def cancel(reason: str):
        return lambda: receipt_cancel_replace(
            receipt_id=receipt.pk, reason=reason, user=world.clerk, at=local("02/01/2024 10:00")
        )

    outcomes = together(cancel("Sai tên"), cancel("Sai địa chỉ"))
    won = [o for o in outcomes if isinstance(o, Receipt)]
    lost = [o for o in outcomes if isinstance(o, payment_errors.InvalidInput)]
    assert (len(won), len(lost)) == (1, 1), outcomes
    assert lost[0].field == "receipt"
    assert lost[0].message == "biên lai số 0000001 đã bị hủy"
    assert sorted(Receipt.objects.values_list("number", flat=True)) == [1, 2]
    assert ReceiptBook.objects.get().last_number == 2  # the loser took no number
    assert PaymentEvent.objects.count() == 2  # the payment and one reissue
    assert amount_owed(dossier.pk) == 0
