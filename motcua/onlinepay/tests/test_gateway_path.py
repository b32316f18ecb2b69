"""The whole path through the payment sandbox (a real HTTP process) and the live app: the
citizen's browser pays, the sandbox calls back, the dossier is paid online once; and every
injected fault: forged, duplicated, out-of-order, wrong-amount, late, lost callbacks."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from motcua.core.metrics import Bucket
from motcua.dossiers import figures
from motcua.dossiers.models import DayFigure
from motcua.onlinepay.choices import IntentStatus, MessageKind, Outcome, Refusal
from motcua.onlinepay.models import PaymentIntent, ProviderMessage
from motcua.onlinepay.services import payment_intent_cancel, payment_intent_create
from motcua.onlinepay.tasks import poll_payment
from motcua.onlinepay.tests.paying import browse, reconcile
from motcua.payments.choices import PaymentMethod
from motcua.payments.models import PaymentEvent, Receipt
from motcua.payments.selectors import amount_owed

pytestmark = pytest.mark.django_db(transaction=True)


def paid_online_figure() -> int:
    return sum(
        DayFigure.objects.filter(figure=Bucket.PAID_ONLINE.value).values_list("n", flat=True)
    )


def outcomes(intent: PaymentIntent) -> list[tuple[str, str, str]]:
    return [
        (m.kind, m.outcome, m.reason.split(":")[0])
        for m in ProviderMessage.objects.filter(intent=intent).order_by("id")
    ]


def test_vnpay_pays_once_with_a_numbered_receipt_and_counts_as_paid_online(world, live, tmp_path):
    dossier = world.create(fee=50000)
    before = paid_online_figure()
    intent = payment_intent_create(dossier_id=dossier.pk, provider="vnpay")
    assert intent.status == IntentStatus.PENDING
    assert intent.amount == 50000
    assert "vnp_Amount=5000000" in intent.payment_url

    page = browse(intent.payment_url)

    assert 'id="paid"' in page
    assert intent.reference in page
    assert live.answers() == ["00"]
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID
    assert intent.provider_transaction
    assert amount_owed(dossier.pk) == 0
    event = PaymentEvent.objects.get(payment__dossier=dossier)
    assert (event.amount, event.method, event.reference) == (
        50000,
        PaymentMethod.ONLINE_LOCAL,
        intent.reference,
    )
    receipt = Receipt.objects.get(dossier=dossier)
    assert (receipt.number, receipt.collector_id) == (1, None)
    assert paid_online_figure() == before + 1
    assert figures.ledger_differences() == {}
    assert [(kind, outcome) for kind, outcome, _ in outcomes(intent)] == [
        (MessageKind.CALLBACK, Outcome.APPLIED),
        (MessageKind.RETURN, Outcome.NOTED),  # the browser's return records nothing
    ]
    statement = tmp_path / "vnpay.csv"
    statement.write_bytes(live.statement("vnpay"))
    call_command("onlinepay", "reconcile", "--provider", "vnpay", "--statement", str(statement))


def test_a_forged_ipn_changes_nothing_and_is_logged(world, live):
    dossier = world.create(fee=30000)
    intent = payment_intent_create(dossier_id=dossier.pk, provider="vnpay")
    live.scenario("forged")

    page = browse(intent.payment_url)

    assert live.answers() == ["97"]
    assert 'id="paid"' not in page
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PENDING
    assert not PaymentEvent.objects.exists()
    assert amount_owed(dossier.pk) == 30000
    forged = ProviderMessage.objects.get(kind=MessageKind.CALLBACK)
    assert (forged.signature_valid, forged.outcome, forged.intent_id) == (
        False,
        Outcome.REFUSED,
        None,
    )
    assert forged.reason == str(Refusal.SIGNATURE.label)
    assert forged.raw["vnp_TxnRef"] == intent.reference


@pytest.mark.parametrize(
    ("scenario", "answers"), [("duplicate", ["00", "02"]), ("out_of_order", ["00", "02"])]
)
def test_duplicated_and_out_of_order_callbacks_make_one_payment(world, live, scenario, answers):
    dossier = world.create(fee=40000)
    intent = payment_intent_create(dossier_id=dossier.pk, provider="vnpay")
    live.scenario(scenario)

    browse(intent.payment_url)

    assert live.answers() == answers
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID
    assert PaymentEvent.objects.filter(payment__dossier=dossier).count() == 1
    assert Receipt.objects.count() == 1
    assert [m.outcome for m in ProviderMessage.objects.filter(kind=MessageKind.CALLBACK)] == [
        Outcome.APPLIED,
        Outcome.DUPLICATE,
    ]
    # A replay later (the same genuine callback) is one more duplicate.
    live.call("POST", "/_sandbox/replay", {"reference": intent.reference})
    assert live.answers()[-1] == "02"
    assert PaymentEvent.objects.count() == 1
    assert figures.ledger_differences() == {}


def test_an_amount_that_differs_from_the_intent_is_refused(world, live):
    dossier = world.create(fee=20000)
    intent = payment_intent_create(dossier_id=dossier.pk, provider="vnpay")
    live.scenario("wrong_amount")

    browse(intent.payment_url)

    assert live.answers() == ["04"]
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PENDING
    assert not PaymentEvent.objects.exists()
    message = ProviderMessage.objects.get(kind=MessageKind.CALLBACK)
    assert (message.signature_valid, message.outcome, message.intent_id) == (
        True,
        Outcome.REFUSED,
        intent.pk,
    )
    assert message.reason.startswith(str(Refusal.AMOUNT.label))


def test_a_callback_for_a_cancelled_intent_is_refused(world, live):
    dossier = world.create(fee=20000)
    intent = payment_intent_create(dossier_id=dossier.pk, provider="vnpay")
    payment_intent_cancel(intent_id=intent.pk)

    page = browse(intent.payment_url)

    assert live.answers() == ["99"]
    assert 'id="failed"' in page
    assert not PaymentEvent.objects.exists()
    assert amount_owed(dossier.pk) == 20000
    assert PaymentIntent.objects.get(pk=intent.pk).status == IntentStatus.CANCELLED


def test_a_delayed_callback_arriving_after_the_poll_paid_is_a_duplicate(world, live):
    dossier = world.create(fee=20000)
    intent = payment_intent_create(dossier_id=dossier.pk, provider="vnpay")
    live.scenario("delayed")

    page = browse(intent.payment_url)

    assert 'id="waiting"' in page
    assert live.sent() == []
    assert poll_payment.call(intent.pk) == Outcome.APPLIED
    released = live.call("POST", "/_sandbox/release", {})
    assert [r["answer"]["RspCode"] for r in released] == ["02"]
    assert PaymentEvent.objects.count() == 1


def test_a_pending_payment_is_resolved_by_the_poll(world, live):
    dossier = world.create(fee=25000)
    intent = payment_intent_create(dossier_id=dossier.pk, provider="vnpay")
    live.scenario("pending")

    page = browse(intent.payment_url)

    assert 'id="waiting"' in page
    assert live.sent() == []
    assert poll_payment.call(intent.pk) == Outcome.DUPLICATE  # still pending, nothing changed
    assert not PaymentEvent.objects.exists()
    live.call("POST", "/_sandbox/resolve", {"reference": intent.reference, "status": "paid"})
    assert poll_payment.call(intent.pk) == Outcome.APPLIED
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID
    assert amount_owed(dossier.pk) == 0
    assert poll_payment.call(intent.pk) == ""  # settled: nothing to ask
    assert figures.ledger_differences() == {}


def test_a_lost_callback_is_found_by_reconciliation_then_by_the_poll(world, live, tmp_path):
    first, second, third = (world.create(fee=fee) for fee in (10000, 20000, 30000))
    intents = [
        payment_intent_create(dossier_id=d.pk, provider="vnpay") for d in (first, second, third)
    ]
    live.scenario("ok")
    live.scenario("lost")
    live.scenario("duplicate")
    for intent in intents:
        browse(intent.payment_url)
    statement = tmp_path / "statement.csv"
    statement.write_bytes(live.statement("vnpay"))

    status, lines = reconcile(statement, command="onlinepay")
    assert status == 1
    listed = [ln for ln in lines if ln.startswith("  ")]
    assert len(listed) == 1
    assert intents[1].reference in listed[0]
    assert second.code in listed[0]
    # Paid but not recorded: 1; recorded but not paid: 0; amount mismatches: 0.
    assert [ln.rsplit(": ", 1)[1] for ln in lines[1:] if not ln.startswith("  ")] == ["1", "0", "0"]

    assert poll_payment.call(intents[1].pk) == Outcome.APPLIED
    call_command("onlinepay", "reconcile", "--provider", "vnpay", "--statement", str(statement))
    assert PaymentEvent.objects.count() == 3
    assert Counter(PaymentEvent.objects.values_list("method", flat=True)) == Counter(
        {PaymentMethod.ONLINE_LOCAL: 3}
    )


def test_the_national_platform_init_callback_and_get_bill(world, live):
    paid = world.create(fee=60000)
    intent = payment_intent_create(dossier_id=paid.pk, provider="national")
    assert intent.payment_url.startswith(live.url + "/paygov/pay/")

    page = browse(intent.payment_url)

    assert 'id="paid"' in page
    assert live.answers() == ["0"]
    event = PaymentEvent.objects.get(payment__dossier=paid)
    assert (event.method, event.reference) == (PaymentMethod.ONLINE_NATIONAL, intent.reference)

    later = world.create(fee=15000)
    pending = payment_intent_create(dossier_id=later.pk, provider="national")
    live.scenario("pending")
    browse(pending.payment_url)
    assert poll_payment.call(pending.pk) == Outcome.DUPLICATE  # GET_BILL: TrangThaiGD 3
    live.call("POST", "/_sandbox/resolve", {"reference": pending.reference, "status": "paid"})
    assert poll_payment.call(pending.pk) == Outcome.APPLIED  # GET_BILL: TrangThaiGD 1
    assert amount_owed(later.pk) == 0
    assert figures.ledger_differences() == {}
