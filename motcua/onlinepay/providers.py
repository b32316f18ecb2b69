"""The gateways' protocols: a :class:`Gateway` interface and its adapters for VNPay and the
national payment platform (integrations-vn.md §2; docs/payments.md "Online payment").

Adapters build what is sent and check what is received; they know nothing of dossiers or the
ledger (``onlinepay.services`` does). Signatures are compared in constant time
(``hmac.compare_digest``). Timestamps are ``yyyyMMddHHmmss`` in Vietnam time, **24-hour**: the
reconstructed platform code used a 12-hour ``hh`` so that morning and afternoon collided.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote_plus

from django.conf import settings

from motcua.core.clock import LOCAL_TZ
from motcua.onlinepay.choices import Provider

# A gateway's answer is a small JSON object; anything longer is refused unread.
MAX_ANSWER_BYTES = 64 * 1024


class GatewayState(enum.Enum):
    """What the gateway says about the transaction."""

    PAID = "paid"
    FAILED = "failed"
    PENDING = "pending"


class GatewayError(Exception):
    """The gateway could not be reached, refused the request or answered unreadably."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Verdict:
    """A gateway's message, read: whose intent, how much, which transaction, what state, and
    whether its signature held (when not, nothing else in it may be trusted)."""

    signature_valid: bool
    reference: str = ""
    amount: int | None = None
    transaction: str = ""
    state: GatewayState | None = None


class Gateway(Protocol):
    """One payment gateway."""

    provider: Provider

    def configured(self) -> bool: ...

    def start(
        self,
        *,
        reference: str,
        amount: int,
        description: str,
        created_at: datetime,
        expires_at: datetime,
        client_ip: str,
        return_url: str,
    ) -> str:
        """The address the citizen's browser goes to, to pay."""
        ...

    def read_callback(self, params: Mapping[str, Any]) -> Verdict:
        """The gateway's callback (or browser return), its signature checked."""
        ...

    def query(self, *, reference: str, amount: int, created_at: datetime) -> Verdict:
        """Ask the gateway where the transaction stands (the poll)."""
        ...


def timestamp(moment: datetime) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time, 24-hour."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y%m%d%H%M%S")


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    timeout = settings.MOTCUA_ONLINEPAY["TIMEOUT_SECONDS"]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - settings' URL
            data = response.read(MAX_ANSWER_BYTES + 1)
    except (urllib.error.URLError, OSError) as error:
        raise GatewayError(f"{url}: {error}") from None
    if len(data) > MAX_ANSWER_BYTES:
        raise GatewayError(f"{url}: answer longer than {MAX_ANSWER_BYTES} bytes")
    try:
        return json.loads(data)
    except ValueError:
        raise GatewayError(f"{url}: the answer is not JSON") from None


def _int_or_none(value: Any) -> int | None:
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


# -- VNPay -----------------------------------------------------------------------------------

VNPAY_VERSION = "2.1.0"
VNPAY_PAY_PATH = "/paymentv2/vpcpay.html"
VNPAY_API_PATH = "/merchant_webapi/api/transaction"


def vnpay_sign_data(params: Mapping[str, Any]) -> str:
    """The text VNPay signs: the ``vnp_*`` parameters except the hash ones, sorted by name,
    ``name=quote_plus(value)`` joined by ``&`` (VNPay's Python sample, version 2.1.0)."""
    items = sorted(
        (key, str(value))
        for key, value in params.items()
        if key.startswith("vnp_") and key not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return "&".join(f"{key}={quote_plus(value)}" for key, value in items)


def hmac_sha512(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def vnpay_signature_ok(params: Mapping[str, Any], secret: str) -> bool:
    given = str(params.get("vnp_SecureHash", "")).lower()
    expected = hmac_sha512(secret, vnpay_sign_data(params))
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


# The fields of querydr's request and answer, in the order VNPay signs them ("|"-joined).
VNPAY_QUERY_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
VNPAY_QUERY_ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)


def piped(params: Mapping[str, Any], fields: tuple[str, ...] | list[str]) -> str:
    return "|".join(str(params.get(name, "")) for name in fields)


class VNPay:
    """VNPay's payment page, IPN/return parameters and ``querydr`` (version 2.1.0)."""

    provider = Provider.VNPAY

    def __init__(self) -> None:
        config = settings.MOTCUA_VNPAY
        self.tmn_code: str = config["TMN_CODE"]
        self.secret: str = config["SECRET"]
        self.base_url: str = config["BASE_URL"].rstrip("/")

    def configured(self) -> bool:
        return bool(self.tmn_code and self.secret and self.base_url)

    def start(
        self,
        *,
        reference: str,
        amount: int,
        description: str,
        created_at: datetime,
        expires_at: datetime,
        client_ip: str,
        return_url: str,
    ) -> str:
        params = {
            "vnp_Version": VNPAY_VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(amount * 100),  # VND x 100
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": reference,
            "vnp_OrderInfo": description,
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": timestamp(created_at),
            "vnp_ExpireDate": timestamp(expires_at),
        }
        query = vnpay_sign_data(params)
        return (
            f"{self.base_url}{VNPAY_PAY_PATH}?{query}"
            f"&vnp_SecureHash={hmac_sha512(self.secret, query)}"
        )

    def read_callback(self, params: Mapping[str, Any]) -> Verdict:
        if not vnpay_signature_ok(params, self.secret):
            return Verdict(signature_valid=False, reference=str(params.get("vnp_TxnRef", "")))
        raw_amount = _int_or_none(params.get("vnp_Amount", ""))
        paid = (
            params.get("vnp_ResponseCode") == "00"
            and params.get("vnp_TransactionStatus", "00") == "00"
        )
        return Verdict(
            signature_valid=True,
            reference=str(params.get("vnp_TxnRef", "")),
            amount=None if raw_amount is None or raw_amount % 100 else raw_amount // 100,
            transaction=str(params.get("vnp_TransactionNo", "")),
            state=GatewayState.PAID if paid else GatewayState.FAILED,
        )

    def query(self, *, reference: str, amount: int, created_at: datetime) -> Verdict:
        params = {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VNPAY_VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": reference,
            "vnp_OrderInfo": f"Truy van {reference}",
            "vnp_TransactionDate": timestamp(created_at),
            "vnp_CreateDate": timestamp(datetime.now(LOCAL_TZ)),
            "vnp_IpAddr": "127.0.0.1",
        }
        params["vnp_SecureHash"] = hmac_sha512(self.secret, piped(params, VNPAY_QUERY_FIELDS))
        answer = _post_json(self.base_url + VNPAY_API_PATH, params)
        if not isinstance(answer, dict):
            raise GatewayError("querydr: the answer is not an object")
        expected = hmac_sha512(self.secret, piped(answer, VNPAY_QUERY_ANSWER_FIELDS))
        given = str(answer.get("vnp_SecureHash", "")).lower()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return Verdict(signature_valid=False, reference=reference)
        if answer.get("vnp_ResponseCode") != "00":
            # 91: transaction not found (never paid); others: the query itself failed.
            if answer.get("vnp_ResponseCode") == "91":
                return Verdict(True, reference, None, "", GatewayState.FAILED)
            raise GatewayError(f"querydr: code {answer.get('vnp_ResponseCode')}")
        status = answer.get("vnp_TransactionStatus")
        state = {"00": GatewayState.PAID, "01": GatewayState.PENDING}.get(
            str(status), GatewayState.FAILED
        )
        raw_amount = _int_or_none(answer.get("vnp_Amount", ""))
        return Verdict(
            signature_valid=True,
            reference=str(answer.get("vnp_TxnRef", "")),
            amount=None if raw_amount is None or raw_amount % 100 else raw_amount // 100,
            transaction=str(answer.get("vnp_TransactionNo", "")),
            state=state,
        )


def vnpay_ipn_answer(code: str, message: str) -> dict[str, str]:
    """VNPay's IPN answer: 00 confirmed, 01 order not found, 02 already confirmed, 04 invalid
    amount, 97 invalid signature, 99 other."""
    return {"RspCode": code, "Message": message}


# -- the national payment platform -----------------------------------------------------------


def paygov_checksum(values: Mapping[str, Any], fields: list[str], secret: str) -> str:
    """``MaXacThuc``: SHA-256 hex of the fields' values then the secret, ``|``-joined (a
    secret-suffix hash as the platform documents it, not an HMAC)."""
    text = "|".join([*(str(values.get(name, "")) for name in fields), secret])
    return hashlib.sha256(text.encode()).hexdigest()


class NationalPlatform:
    """The national payment platform (PayGov): INIT, the callback and GET_BILL (§2.1)."""

    provider = Provider.NATIONAL

    def __init__(self) -> None:
        self.config: dict[str, Any] = settings.MOTCUA_PAYGOV

    def configured(self) -> bool:
        c = self.config
        return bool(c["URL"] and c["PARTNER_CODE"] and c["SECRET"])

    def _headers(self) -> dict[str, str]:
        token = self.config["TOKEN"]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def _sign(self, values: dict[str, Any], fields_setting: str) -> dict[str, Any]:
        values["MaXacThuc"] = paygov_checksum(
            values, self.config[fields_setting], self.config["SECRET"]
        )
        return values

    def _checked(self, values: Mapping[str, Any], fields_setting: str) -> bool:
        expected = paygov_checksum(values, self.config[fields_setting], self.config["SECRET"])
        given = str(values.get("MaXacThuc", "")).lower()
        return bool(given) and hmac.compare_digest(given.encode(), expected.encode())

    def start(
        self,
        *,
        reference: str,
        amount: int,
        description: str,
        created_at: datetime,
        expires_at: datetime,
        client_ip: str,
        return_url: str,
    ) -> str:
        values = self._sign(
            {
                "LoaiBanTin": "INIT",
                "PhienBan": self.config["VERSION"],
                "MaDoiTac": self.config["PARTNER_CODE"],
                "MaThamChieu": reference,
                "SoTien": amount,
                "LoaiHinhThanhToan": "PAY",
                "MaKenhThanhToan": "1",
                "MaThietBi": "1",
                "NgonNgu": "vi-VN",
                "MaTienTe": "VND",
                "MaNganHang": "PAYMENT",
                "ThongTinGiaoDich": description,
                "ThoiGianGD": timestamp(created_at),
                "Ip": client_ip or "127.0.0.1",
            },
            "INIT_CHECKSUM_FIELDS",
        )
        answer = _post_json(self.config["URL"], values, self._headers())
        if not isinstance(answer, dict) or str(answer.get("error_code")) != "0":
            message = answer.get("message", "") if isinstance(answer, dict) else ""
            raise GatewayError(f"INIT refused: {message}")
        url = str(answer.get("UrlThanhToan", ""))
        if not url.startswith(("https://", "http://")):
            raise GatewayError("INIT: no payment address in the answer")
        return url

    def read_callback(self, params: Mapping[str, Any]) -> Verdict:
        reference = str(params.get("MaThamChieu", ""))
        if not self._checked(params, "CALLBACK_CHECKSUM_FIELDS"):
            return Verdict(signature_valid=False, reference=reference)
        paid = str(params.get("MaLoi", "")) == self.config["SUCCESS_CODE"]
        return Verdict(
            signature_valid=True,
            reference=reference,
            amount=_int_or_none(params.get("SoTien", "")),
            transaction=str(params.get("MaGiaoDich", "")),
            state=GatewayState.PAID if paid else GatewayState.FAILED,
        )

    def query(self, *, reference: str, amount: int, created_at: datetime) -> Verdict:
        values = self._sign(
            {
                "LoaiBanTin": "GET_BILL",
                "PhienBan": self.config["VERSION"],
                "MaDoiTac": self.config["PARTNER_CODE"],
                "MaThamChieu": reference,
                "ThoiGianGD": timestamp(datetime.now(LOCAL_TZ)),
            },
            "BILL_CHECKSUM_FIELDS",
        )
        answer = _post_json(self.config["URL"], values, self._headers())
        if not isinstance(answer, dict):
            raise GatewayError("GET_BILL: the answer is not an object")
        if not self._checked(answer, "BILL_ANSWER_CHECKSUM_FIELDS"):
            return Verdict(signature_valid=False, reference=reference)
        # TrangThaiGD: 1 success, 3 pending (the platform does not know yet), 4 failed.
        state = {"1": GatewayState.PAID, "3": GatewayState.PENDING}.get(
            str(answer.get("TrangThaiGD", "")), GatewayState.FAILED
        )
        return Verdict(
            signature_valid=True,
            reference=str(answer.get("MaThamChieu", "")),
            amount=_int_or_none(answer.get("SoTien", "")),
            transaction=str(answer.get("MaGiaoDich", "")),
            state=state,
        )


def gateway_for(provider: Provider | str) -> Gateway:
    """The adapter of ``provider`` (VietQR has none: a transfer is matched from a statement)."""
    if provider == Provider.VNPAY:
        return VNPay()
    if provider == Provider.NATIONAL:
        return NationalPlatform()
    raise GatewayError(f"{provider}: no online gateway")
