"""The gateways' signatures against vectors computed here, independently of the adapters."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from motcua.core.clock import LOCAL_TZ
from motcua.onlinepay.providers import (
    GatewayState,
    NationalPlatform,
    VNPay,
    paygov_checksum,
    timestamp,
    vnpay_sign_data,
    vnpay_signature_ok,
)

SECRET = "VNPAYSECRETKEY"


def test_vnpay_signs_the_sorted_url_encoded_parameters_with_hmac_sha512():
    params = {
        "vnp_TxnRef": "20240102150501AB12CD34",
        "vnp_Amount": "5000000",
        "vnp_OrderInfo": "Thanh toan phi ho so H06.058-240102-0001",
        "vnp_ReturnUrl": "https://motcua.example/thanh-toan/ket-qua/vnpay/",
        "vnp_SecureHash": "ignored",
        "other": "ignored",
    }
    text = (
        "vnp_Amount=5000000"
        "&vnp_OrderInfo=Thanh+toan+phi+ho+so+H06.058-240102-0001"
        "&vnp_ReturnUrl=https%3A%2F%2Fmotcua.example%2Fthanh-toan%2Fket-qua%2Fvnpay%2F"
        "&vnp_TxnRef=20240102150501AB12CD34"
    )
    assert vnpay_sign_data(params) == text
    expected = hmac.new(SECRET.encode(), text.encode(), hashlib.sha512).hexdigest()
    assert len(expected) == 128
    assert vnpay_signature_ok({**params, "vnp_SecureHash": expected}, SECRET)
    assert vnpay_signature_ok({**params, "vnp_SecureHash": expected.upper()}, SECRET)
    assert not vnpay_signature_ok(
        {**params, "vnp_SecureHash": expected, "vnp_Amount": "5000100"}, SECRET
    )
    assert not vnpay_signature_ok({**params, "vnp_SecureHash": ""}, SECRET)
    assert not vnpay_signature_ok(params | {"vnp_SecureHash": expected}, "other-secret")


def test_the_vnpay_payment_address_carries_the_amount_times_100_and_verifies(settings):
    settings.MOTCUA_VNPAY = {"TMN_CODE": "TMN1", "SECRET": SECRET, "BASE_URL": "https://gw.test"}
    at = datetime(2024, 1, 2, 15, 5, 1, tzinfo=LOCAL_TZ)
    url = VNPay().start(
        reference="R1",
        amount=1_608_000,
        description="Thanh toan",
        created_at=at,
        expires_at=at.replace(minute=20),
        client_ip="10.0.0.1",
        return_url="https://m.test/r/",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "gw.test",
        "/paymentv2/vpcpay.html",
    )
    query = dict(parse_qsl(parts.query))
    assert query["vnp_Amount"] == "160800000"
    assert query["vnp_CreateDate"] == "20240102150501"  # 24-hour: 15, not 03
    assert query["vnp_ExpireDate"] == "20240102152001"
    assert vnpay_signature_ok(query, SECRET)
    verdict = VNPay().read_callback(
        {
            **{k: v for k, v in query.items() if k != "vnp_SecureHash"},
            "vnp_ResponseCode": "00",
            "vnp_TransactionStatus": "00",
            "vnp_TransactionNo": "14000001",
        }
        | {"vnp_SecureHash": "0" * 128}
    )
    assert not verdict.signature_valid
    assert verdict.state is None


def test_the_national_platform_checksum_is_sha256_of_the_fields_then_the_secret(settings):
    values = {"LoaiBanTin": "PAY", "MaLoi": "00", "MaThamChieu": "R1", "SoTien": 50000}
    fields = ["LoaiBanTin", "MaLoi", "MaDoiTac", "MaThamChieu", "SoTien"]
    expected = hashlib.sha256(b"PAY|00||R1|50000|s3cret").hexdigest()
    assert paygov_checksum(values, fields, "s3cret") == expected
    settings.MOTCUA_PAYGOV = {
        **settings.MOTCUA_PAYGOV,
        "SECRET": "s3cret",
        "CALLBACK_CHECKSUM_FIELDS": fields,
    }
    good = NationalPlatform().read_callback({**values, "MaGiaoDich": "T9", "MaXacThuc": expected})
    assert (good.signature_valid, good.state, good.amount, good.transaction) == (
        True,
        GatewayState.PAID,
        50000,
        "T9",
    )
    forged = NationalPlatform().read_callback({**values, "SoTien": 5, "MaXacThuc": expected})
    assert not forged.signature_valid


def test_timestamps_are_24_hour_vietnam_time():
    morning = datetime(2024, 1, 2, 8, 5, 1, tzinfo=LOCAL_TZ)
    assert timestamp(morning) == "20240102080501"
    assert timestamp(morning.replace(hour=20)) == "20240102200501"
    assert timestamp(datetime(2024, 1, 2, 13, 5, 1, tzinfo=UTC)) == "20240102200501"
