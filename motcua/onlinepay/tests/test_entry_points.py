"""The entry points' answers to bad input: unknown references, oversized or malformed
callbacks, starting a payment without tracking the dossier, a bad statement file."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from urllib.parse import quote_plus

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from motcua.onlinepay.choices import IntentStatus, Outcome, Refusal
from motcua.onlinepay.errors import OnlinePayError
from motcua.onlinepay.models import PaymentIntent, ProviderMessage
from motcua.onlinepay.services import payment_intent_create
from motcua.onlinepay.tests.conftest import VNPAY_SECRET
from motcua.payments.models import PaymentEvent


def signed(params: dict[str, str]) -> dict[str, str]:
    text = "&".join(f"{k}={quote_plus(v)}" for k, v in sorted(params.items()))
    digest = hmac.new(VNPAY_SECRET.encode(), text.encode(), hashlib.sha512).hexdigest()
    return {**params, "vnp_SecureHash": digest}


def ipn(reference: str, amount: int) -> dict[str, str]:
    return signed(
        {
            "vnp_Amount": str(amount * 100),
            "vnp_ResponseCode": "00",
            "vnp_TransactionStatus": "00",
            "vnp_TransactionNo": "999",
            "vnp_TxnRef": reference,
            "vnp_TmnCode": "MOTCUA01",
        }
    )


def test_an_ipn_for_an_unknown_reference_is_answered_01_and_logged(client, gateways_on, db):
    response = client.get(reverse("onlinepay:vnpay_ipn"), ipn("NOSUCHREF", 50000))
    assert response.json() == {"RspCode": "01", "Message": "Order not found"}
    message = ProviderMessage.objects.get()
    assert (message.outcome, message.reason, message.reference) == (
        Outcome.REFUSED,
        str(Refusal.UNKNOWN.label),
        "NOSUCHREF",
    )


def test_oversized_and_malformed_callbacks_are_refused_unread(client, gateways_on, db):
    long = client.get(reverse("onlinepay:vnpay_ipn") + "?vnp_TxnRef=" + "A" * 5000)
    assert (long.status_code, long.json()["RspCode"]) == (400, "99")
    url = reverse("onlinepay:national_callback")
    big = client.post(url, data="{" + " " * 20000 + "}", content_type="application/json")
    assert big.status_code == 413
    broken = client.post(url, data="[1, 2", content_type="application/json")
    assert broken.status_code == 400
    unsigned = client.post(
        url, data=json.dumps({"MaThamChieu": "X", "MaLoi": "00"}), content_type="application/json"
    )
    assert unsigned.json()["error_code"] == "1"
    assert not ProviderMessage.objects.exclude(outcome=Outcome.REFUSED).exists()
    assert not PaymentEvent.objects.exists()


def test_starting_a_payment_needs_the_tracked_dossier(client, world, gateways_on):
    dossier = world.create(fee=50000)
    url = reverse("onlinepay:start")
    refused = client.post(url, {"code": dossier.code, "provider": "vnpay"})
    assert refused.status_code == 403
    assert "code" in refused.content.decode()
    session = client.session
    session["portal_tracked"] = [dossier.code]
    session.save()
    bad = client.post(url, {"code": dossier.code, "provider": "paypal"})
    assert bad.status_code == 400
    assert "provider" in bad.content.decode()
    assert not PaymentIntent.objects.exists()
    started = client.post(url, {"code": dossier.code, "provider": "vnpay"})
    assert started.status_code == 302
    assert started["Location"].startswith(gateways_on.url + "/paymentv2/vpcpay.html?")
    assert PaymentIntent.objects.get().status == IntentStatus.PENDING


def test_an_intent_is_refused_when_nothing_is_owed_or_no_gateway(world, settings, gateways_on):
    dossier = world.create()
    with pytest.raises(OnlinePayError) as nothing:
        payment_intent_create(dossier_id=dossier.pk, provider="vnpay")
    assert nothing.value.field == "dossier"
    owing = world.create(fee=1000)
    settings.MOTCUA_VNPAY = {**settings.MOTCUA_VNPAY, "SECRET": ""}
    with pytest.raises(OnlinePayError) as off:
        payment_intent_create(dossier_id=owing.pk, provider="vnpay")
    assert off.value.field == "provider"
    with pytest.raises(OnlinePayError) as unknown:
        payment_intent_create(dossier_id=owing.pk + 999, provider="national")
    assert unknown.value.field == "dossier"
    assert not PaymentIntent.objects.exists()


def test_a_bad_statement_file_names_the_line_and_column(tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "reference,transaction,amount,paid_at\n"
        "R1,T1,50000,02/01/2024 10:00:00\n"
        "R2,T2,năm mươi,02/01/2024 10:00:00\n"
        "R3,T3,1000,31/02/2024 10:00:00\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        call_command("onlinepay", "reconcile", "--provider", "vnpay", "--statement", str(bad))
    text = str(error.value)
    assert "3" in text
    assert "amount" in text
    assert "4" in text
    assert "paid_at" in text
    assert "2, " not in text  # the good line is not blamed
    missing = tmp_path / "missing.csv"
    missing.write_text("reference,amount\nR1,1\n", encoding="utf-8")
    with pytest.raises(CommandError) as header:
        call_command("onlinepay", "reconcile", "--provider", "vnpay", "--statement", str(missing))
    assert "transaction" in str(header.value)


def test_the_tracking_page_offers_the_configured_gateways(client, world, gateways_on, settings):
    dossier = world.create(fee=50000)
    session = client.session
    session["portal_tracked"] = [dossier.code]
    session.save()
    page = client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    form = re.search(r'<form[^>]*id="pay-online".*?</form>', page, re.DOTALL)
    assert form is not None
    assert f'action="{reverse("onlinepay:start")}"' in form.group(0)
    assert re.findall(r'name="provider" value="([a-z]+)"', form.group(0)) == ["national", "vnpay"]
    assert 'id="vietqr-unavailable"' not in page  # not "pay at the desk": it can be paid here
    settings.MOTCUA_VNPAY = {**settings.MOTCUA_VNPAY, "TMN_CODE": ""}
    page = client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    assert re.findall(r'name="provider" value="([a-z]+)"', page) == ["national"]
