"""The day's sandbox statement reconciled with ``motcua payments reconcile``: zero differences
for a clean day; exactly the injected ones when the sandbox loses a callback and takes the money
twice for another (the Playwright scenario's check, docs/payments.md "Sandbox")."""

from __future__ import annotations

import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.onlinepay.services import payment_intent_create
from motcua.payments.models import PaymentEvent

pytestmark = pytest.mark.django_db(transaction=True)


def browse(url: str) -> None:
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()


def reconcile(path) -> tuple[int, list[str]]:
    out = StringIO()
    try:
        call_command(
            "payments", "reconcile", "--provider", "vnpay", "--statement", str(path), stdout=out
        )
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


def test_a_clean_day_then_a_lost_callback_and_a_double_charge(world, live, tmp_path):
    clean = world.create(fee=10000)
    browse(payment_intent_create(dossier_id=clean.pk, provider="vnpay").payment_url)
    path = tmp_path / "day.csv"
    path.write_bytes(live.statement("vnpay"))
    code, lines = reconcile(path)
    assert code == 0
    assert [ln for ln in lines if ln.startswith("  ")] == []

    lost, double, duplicate = (world.create(fee=fee) for fee in (20000, 30000, 40000))
    intents = [
        payment_intent_create(dossier_id=d.pk, provider="vnpay") for d in (lost, double, duplicate)
    ]
    live.scenario("lost")
    live.scenario("double_charged")
    live.scenario("duplicate")  # the same callback twice: one payment, no difference
    for intent in intents:
        browse(intent.payment_url)
    # The double charge's second callback is refused (another transaction, code 99).
    assert live.answers()[-4:] == ["00", "99", "00", "02"]
    path.write_bytes(live.statement("vnpay"))

    code, lines = reconcile(path)

    assert code == 1
    listed = [ln for ln in lines if ln.startswith("  ")]
    assert len(listed) == 2, lines
    assert any(intents[0].reference in ln and lost.code in ln for ln in listed)
    assert any(intents[1].reference in ln and double.code in ln for ln in listed)
    # Both are paid at the gateway but not (or not twice) in the ledger.
    assert [ln.rsplit(": ", 1)[1] for ln in lines[1:] if not ln.startswith("  ")] == [
        "2",
        "0",
        "0",
    ]
    assert PaymentEvent.objects.count() == 3  # clean, double (once), duplicate (once)
