"""Two genuine callbacks for one intent at the same moment (PostgreSQL pass): one payment, the
other a duplicate. Each thread has its own connection; the world is committed first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.dossiers.tests.world import build_world
from motcua.lib.tests.threads import together
from motcua.onlinepay.choices import IntentStatus, Outcome, Provider
from motcua.onlinepay.models import PaymentIntent
from motcua.onlinepay.services import payment_callback_apply
from motcua.onlinepay.tests.conftest import VNPAY_SECRET, VNPAY_TMN
from motcua.onlinepay.tests.test_entry_points import ipn
from motcua.payments.models import PaymentEvent, Receipt

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_callbacks_at_once_make_one_payment(settings):
    settings.MOTCUA_VNPAY = {"TMN_CODE": VNPAY_TMN, "SECRET": VNPAY_SECRET, "BASE_URL": "http://x"}
    world = build_world()
    dossier = world.create(fee=50000)
    now = timezone.now()
    intent = PaymentIntent.objects.create(
        reference="R20240102AB",
        dossier=dossier,
        amount=50000,
        provider=Provider.VNPAY,
        status=IntentStatus.PENDING,
        created_at=now,
        expires_at=now + timedelta(minutes=15),
    )
    params = ipn(intent.reference, 50000)
    outcomes = together(
        lambda: payment_callback_apply(provider="vnpay", params=params),
        lambda: payment_callback_apply(provider="vnpay", params=params),
    )
    assert sorted(o.outcome for o in outcomes) == sorted([Outcome.APPLIED, Outcome.DUPLICATE])
    assert PaymentEvent.objects.count() == 1
    assert Receipt.objects.count() == 1
    assert PaymentIntent.objects.get().status == IntentStatus.PAID
