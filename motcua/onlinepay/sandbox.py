"""A payment sandbox: both gateways' sides in one HTTP process on 127.0.0.1, for the tests, the
demo and a developer's machine (docs/payments.md "Sandbox").

    python -m motcua.onlinepay.sandbox --port 8701 --vnpay-tmn MOTCUA01 --vnpay-secret S \\
        --paygov-partner MOTCUA --paygov-secret S2 --paygov-token T

VNPay: ``GET /paymentv2/vpcpay.html`` (the signed payment address: "pays" at once, sends the
IPN to the merchant's IPN address and redirects the browser to ``vnp_ReturnUrl``) and
``POST /merchant_webapi/api/transaction`` (``querydr``). The national payment platform:
``POST /paygov/api`` (INIT, GET_BILL; bearer token), ``GET /paygov/pay/<reference>`` (the
payment page: the callback, then the browser back to the merchant's return address).

Control (JSON): ``/_sandbox/health``, ``reset``, ``config`` (the merchant's IPN, callback and
return addresses, registered with a real gateway rather than sent with each payment),
``scenario`` (queued, one per next payment: ok, declined, forged, duplicate, out_of_order,
delayed, pending, lost, wrong_amount, double_charged: the money taken twice under two
transaction numbers, both callbacks sent and both on the statement), ``release`` (send the
delayed callbacks), ``resolve`` (a pending transaction becomes paid or failed, with no callback:
only the poll finds it), ``replay`` (send a transaction's last callback again), ``sent`` (the
callbacks sent and the merchant's answers), ``statement?provider=&day=YYYY-MM-DD`` (the day's
CSV statement).

Standard library only, and its own signing code: it is the other side, not a copy of ours.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VN = timezone(timedelta(hours=7))
SCENARIOS = (
    "ok",
    "declined",
    "forged",
    "duplicate",
    "out_of_order",
    "delayed",
    "pending",
    "lost",
    "wrong_amount",
    "double_charged",
)
PAYGOV_INIT_FIELDS = [
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
]
PAYGOV_CALLBACK_FIELDS = [
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
]
PAYGOV_BILL_FIELDS = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"]
PAYGOV_BILL_ANSWER_FIELDS = [
    "LoaiBanTin",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaGiaoDich",
    "TrangThaiGD",
    "ThoiGianGD",
]
VNPAY_QUERY_FIELDS = [
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
]
VNPAY_QUERY_ANSWER_FIELDS = [
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
]


def now_vn() -> datetime:
    return datetime.now(VN).replace(microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def vnpay_hash(secret: str, params: dict[str, Any]) -> str:
    text = "&".join(
        f"{k}={urllib.parse.quote_plus(str(v))}"
        for k, v in sorted(params.items())
        if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def pipe_hash(secret: str, params: dict[str, Any], fields: list[str]) -> str:
    text = "|".join(str(params.get(f, "")) for f in fields)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha512).hexdigest()


def paygov_hash(secret: str, params: dict[str, Any], fields: list[str]) -> str:
    text = "|".join([*(str(params.get(f, "")) for f in fields), secret])
    return hashlib.sha256(text.encode()).hexdigest()


class State:
    """Everything the sandbox knows, behind one lock."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.config: dict[str, str] = {}
        self.queue: list[str] = []
        self.transactions: dict[str, dict[str, Any]] = {}
        self.held: list[tuple[str, str, dict[str, Any]]] = []
        self.sent: list[dict[str, Any]] = []
        self.last_callback: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self.counter = 14_000_000

    def next_scenario(self) -> str:
        with self.lock:
            return self.queue.pop(0) if self.queue else "ok"

    def new_transaction(self, provider: str, reference: str, amount: int) -> dict[str, Any]:
        with self.lock:
            self.counter += 1
            record = {
                "provider": provider,
                "reference": reference,
                "amount": amount,
                "transaction": str(self.counter),
                "status": "initiated",
                "paid_at": None,
            }
            self.transactions.setdefault(reference, record)
            return self.transactions[reference]


def deliver(state: State, provider: str, url: str, params: dict[str, Any]) -> dict[str, Any]:
    """Send one callback (VNPay: GET with the query; platform: POST JSON); the answer logged."""
    entry: dict[str, Any] = {"provider": provider, "params": params, "url": url}
    try:
        if provider == "vnpay":
            request = urllib.request.Request(url + "?" + urllib.parse.urlencode(params))
        else:
            request = urllib.request.Request(
                url,
                data=json.dumps(params).encode(),
                method="POST",
                headers={"Content-Type": "application/json"},
            )
        with urllib.request.urlopen(request, timeout=30) as response:
            entry["status"] = response.status
            entry["answer"] = json.loads(response.read(65536) or b"null")
    except urllib.error.HTTPError as error:
        entry["status"] = error.code
        entry["answer"] = error.read(65536).decode(errors="replace")
    except (urllib.error.URLError, OSError, ValueError) as error:
        entry["status"] = None
        entry["answer"] = str(error)
    with state.lock:
        state.sent.append(entry)
    return entry


def vnpay_callback(
    state: State, record: dict[str, Any], paid: bool, **change: Any
) -> dict[str, Any]:
    params = {
        "vnp_Amount": str(change.get("amount", record["amount"]) * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP" + record["transaction"],
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": record.get("info", ""),
        "vnp_PayDate": stamp(now_vn()),
        "vnp_ResponseCode": "00" if paid else "24",
        "vnp_TmnCode": state.options.vnpay_tmn,
        "vnp_TransactionNo": record["transaction"],
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TxnRef": record["reference"],
    }
    params["vnp_SecureHash"] = vnpay_hash(state.options.vnpay_secret, params)
    if change.get("forged"):
        params["vnp_SecureHash"] = hmac.new(
            b"not-the-secret", b"forged", hashlib.sha512
        ).hexdigest()
    return params


def paygov_callback(
    state: State, record: dict[str, Any], paid: bool, **change: Any
) -> dict[str, Any]:
    params = {
        "LoaiBanTin": "PAY",
        "MaLoi": "00" if paid else "01",
        "MaDoiTac": state.options.paygov_partner,
        "MaThamChieu": record["reference"],
        "SoTien": change.get("amount", record["amount"]),
        "MaTienTe": "VND",
        "MaGiaoDich": record["transaction"],
        "MaNganHang": "PAYMENT",
        "ThoiGianGD": stamp(now_vn()),
        "ThongTinGiaoDich": record.get("info", ""),
    }
    secret = "not-the-secret" if change.get("forged") else state.options.paygov_secret
    params["MaXacThuc"] = paygov_hash(secret, params, PAYGOV_CALLBACK_FIELDS)
    return params


def settle(state: State, record: dict[str, Any], scenario: str) -> dict[str, Any] | None:
    """Pay (or not) per the scenario; send or hold the callbacks. The return parameters."""
    provider = record["provider"]
    build = vnpay_callback if provider == "vnpay" else paygov_callback
    url = state.config.get("vnpay_ipn_url" if provider == "vnpay" else "paygov_callback_url", "")
    paid_now = scenario not in ("declined", "forged", "pending")
    with state.lock:
        if scenario == "pending":
            record["status"] = "pending"
        elif paid_now:
            record["status"] = "paid"
            record["paid_at"] = now_vn()
        else:
            record["status"] = "failed"
    genuine = build(state, record, paid_now)
    state.last_callback[record["reference"]] = (provider, url, genuine)
    sends: list[dict[str, Any]] = []
    if scenario in ("ok", "declined"):
        sends = [genuine]
    elif scenario == "forged":
        sends = [build(state, record, True, forged=True)]
    elif scenario == "duplicate":
        sends = [genuine, genuine]
    elif scenario == "out_of_order":
        sends = [genuine, build(state, record, False)]
    elif scenario == "wrong_amount":
        sends = [build(state, record, True, amount=record["amount"] + 1000)]
    elif scenario == "double_charged":
        with state.lock:
            state.counter += 1
            second = {**record, "transaction": str(state.counter), "extra": []}
            record.setdefault("extra", []).append((second["transaction"], now_vn()))
        sends = [genuine, build(state, second, True)]
    elif scenario == "delayed":
        with state.lock:
            state.held.append((provider, url, genuine))
    # "pending" and "lost": no callback at all.
    for params in sends:
        if url:
            deliver(state, provider, url, params)
    return genuine


class Handler(BaseHTTPRequestHandler):
    server_version = "MotcuaPaymentSandbox/1"
    state: State

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    # -- helpers ------------------------------------------------------------------------------

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _text(
        self, status: int, text: str, content_type: str = "text/plain; charset=utf-8"
    ) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, url: str) -> None:
        self.send_response(302)
        self.send_header("Location", url)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 65536:
            return None
        raw = self.rfile.read(length) if length else b"{}"
        try:
            return json.loads(raw)
        except ValueError:
            return None

    # -- routes -------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        state = self.state
        if parts.path == "/_sandbox/health":
            return self._json(200, {"ok": True})
        if parts.path == "/_sandbox/sent":
            with state.lock:
                return self._json(200, list(state.sent))
        if parts.path == "/_sandbox/transactions":
            with state.lock:
                return self._json(200, list(state.transactions.values()))
        if parts.path == "/_sandbox/statement":
            return self._statement(query)
        if parts.path == "/paymentv2/vpcpay.html":
            return self._vnpay_pay(query)
        if parts.path.startswith("/paygov/pay/"):
            return self._paygov_pay(parts.path.rsplit("/", 1)[-1])
        return self._json(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        path = urllib.parse.urlsplit(self.path).path
        body = self._body()
        if not isinstance(body, dict):
            return self._json(400, {"error": "a JSON object is required"})
        state = self.state
        if path == "/_sandbox/reset":
            with state.lock:
                state.reset()
            return self._json(200, {"ok": True})
        if path == "/_sandbox/config":
            with state.lock:
                state.config.update({k: str(v) for k, v in body.items()})
            return self._json(200, state.config)
        if path == "/_sandbox/scenario":
            scenario = body.get("scenario")
            if scenario not in SCENARIOS:
                return self._json(400, {"error": f"scenario: one of {', '.join(SCENARIOS)}"})
            with state.lock:
                state.queue.extend([scenario] * int(body.get("times", 1)))
            return self._json(200, {"queued": state.queue})
        if path == "/_sandbox/release":
            with state.lock:
                held, state.held = state.held, []
            if body.get("reverse"):
                held.reverse()
            return self._json(200, [deliver(state, p, u, params) for p, u, params in held])
        if path == "/_sandbox/resolve":
            record = state.transactions.get(str(body.get("reference", "")))
            if record is None or body.get("status") not in ("paid", "failed"):
                return self._json(400, {"error": "reference and status (paid|failed) required"})
            with state.lock:
                record["status"] = body["status"]
                record["paid_at"] = now_vn() if body["status"] == "paid" else None
            return self._json(200, record)
        if path == "/_sandbox/replay":
            last = state.last_callback.get(str(body.get("reference", "")))
            if last is None:
                return self._json(404, {"error": "no callback for this reference"})
            return self._json(200, deliver(state, *last))
        if path == "/merchant_webapi/api/transaction":
            return self._vnpay_query(body)
        if path == "/paygov/api":
            return self._paygov_api(body)
        return self._json(404, {"error": "not found"})

    # -- VNPay --------------------------------------------------------------------------------

    def _vnpay_pay(self, query: dict[str, str]) -> None:
        options = self.state.options
        given = query.get("vnp_SecureHash", "").lower()
        if not hmac.compare_digest(given, vnpay_hash(options.vnpay_secret, query)):
            return self._text(400, "97: invalid signature")
        if query.get("vnp_TmnCode") != options.vnpay_tmn:
            return self._text(400, "02: unknown merchant")
        raw = query.get("vnp_Amount", "")
        if not raw.isdigit() or int(raw) % 100:
            return self._text(400, "03: invalid amount")
        record = self.state.new_transaction("vnpay", query.get("vnp_TxnRef", ""), int(raw) // 100)
        record["info"] = query.get("vnp_OrderInfo", "")
        record["create_date"] = query.get("vnp_CreateDate", "")
        if record["status"] != "initiated":
            return self._text(400, "duplicate vnp_TxnRef")
        params = settle(self.state, record, self.state.next_scenario())
        back = query.get("vnp_ReturnUrl", "")
        if not back or params is None:
            return self._text(200, record["status"])
        return self._redirect(back + "?" + urllib.parse.urlencode(params))

    def _vnpay_query(self, body: dict[str, Any]) -> None:
        options = self.state.options
        given = str(body.get("vnp_SecureHash", "")).lower()
        if not hmac.compare_digest(
            given, pipe_hash(options.vnpay_secret, body, VNPAY_QUERY_FIELDS)
        ):
            return self._json(200, self._signed_query_answer({"vnp_ResponseCode": "97"}))
        record = self.state.transactions.get(str(body.get("vnp_TxnRef", "")))
        if record is None or record["provider"] != "vnpay":
            return self._json(200, self._signed_query_answer({"vnp_ResponseCode": "91"}))
        status = {"paid": "00", "pending": "01"}.get(record["status"], "02")
        answer = {
            "vnp_ResponseCode": "00",
            "vnp_Message": "QueryDR Success",
            "vnp_TxnRef": record["reference"],
            "vnp_Amount": str(record["amount"] * 100),
            "vnp_BankCode": "NCB",
            "vnp_PayDate": stamp(record["paid_at"]) if record["paid_at"] else "",
            "vnp_TransactionNo": record["transaction"],
            "vnp_TransactionType": "01",
            "vnp_TransactionStatus": status,
            "vnp_OrderInfo": record.get("info", ""),
        }
        return self._json(200, self._signed_query_answer(answer))

    def _signed_query_answer(self, answer: dict[str, Any]) -> dict[str, Any]:
        options = self.state.options
        answer = {
            "vnp_ResponseId": "R" + stamp(now_vn()),
            "vnp_Command": "querydr",
            "vnp_TmnCode": options.vnpay_tmn,
            "vnp_Message": "",
            "vnp_PromotionCode": "",
            "vnp_PromotionAmount": "",
            **answer,
        }
        answer["vnp_SecureHash"] = pipe_hash(
            options.vnpay_secret, answer, VNPAY_QUERY_ANSWER_FIELDS
        )
        return answer

    # -- the national platform ----------------------------------------------------------------

    def _paygov_api(self, body: dict[str, Any]) -> None:
        options = self.state.options
        if self.headers.get("Authorization", "") != f"Bearer {options.paygov_token}":
            return self._json(401, {"error_code": "401", "message": "bad token"})
        kind = body.get("LoaiBanTin")
        fields = PAYGOV_INIT_FIELDS if kind == "INIT" else PAYGOV_BILL_FIELDS
        given = str(body.get("MaXacThuc", "")).lower()
        if not hmac.compare_digest(given, paygov_hash(options.paygov_secret, body, fields)):
            return self._json(200, {"error_code": "97", "message": "MaXacThuc sai"})
        if body.get("MaDoiTac") != options.paygov_partner:
            return self._json(200, {"error_code": "02", "message": "MaDoiTac sai"})
        reference = str(body.get("MaThamChieu", ""))
        if kind == "INIT":
            amount = body.get("SoTien")
            if not isinstance(amount, int) or amount <= 0:
                return self._json(200, {"error_code": "03", "message": "SoTien sai"})
            record = self.state.new_transaction("national", reference, amount)
            record["info"] = str(body.get("ThongTinGiaoDich", ""))
            base = "http://{}:{}".format(*self.server.server_address[:2])  # type: ignore[index]
            return self._json(
                200,
                {
                    "error_code": "0",
                    "message": "OK",
                    "UrlThanhToan": f"{base}/paygov/pay/{reference}",
                },
            )
        if kind == "GET_BILL":
            found = self.state.transactions.get(reference)
            status = "4"
            if found is not None:
                status = {"paid": "1", "pending": "3"}.get(found["status"], "4")
            answer = {
                "error_code": "0",
                "LoaiBanTin": "GET_BILL",
                "MaDoiTac": options.paygov_partner,
                "MaThamChieu": reference,
                "SoTien": found["amount"] if found else 0,
                "MaGiaoDich": found["transaction"] if found else "",
                "TrangThaiGD": status,
                "ThoiGianGD": stamp(now_vn()),
            }
            answer["MaXacThuc"] = paygov_hash(
                options.paygov_secret, answer, PAYGOV_BILL_ANSWER_FIELDS
            )
            return self._json(200, answer)
        return self._json(200, {"error_code": "98", "message": "LoaiBanTin sai"})

    def _paygov_pay(self, reference: str) -> None:
        record = self.state.transactions.get(reference)
        if record is None or record["provider"] != "national":
            return self._text(404, "unknown MaThamChieu")
        if record["status"] != "initiated":
            return self._text(400, "already settled")
        params = settle(self.state, record, self.state.next_scenario())
        back = self.state.config.get("paygov_return_url", "")
        if not back or params is None:
            return self._text(200, record["status"])
        return self._redirect(back + "?" + urllib.parse.urlencode(params))

    # -- statement ----------------------------------------------------------------------------

    def _statement(self, query: dict[str, str]) -> None:
        provider = query.get("provider", "vnpay")
        day = query.get("day", "")
        lines = ["reference,transaction,amount,paid_at"]
        with self.state.lock:
            records = sorted(self.state.transactions.values(), key=lambda r: r["transaction"])
            for record in records:
                paid_at = record["paid_at"]
                if record["provider"] != provider or record["status"] != "paid" or paid_at is None:
                    continue
                if day and paid_at.date().isoformat() != day:
                    continue
                lines.append(
                    f"{record['reference']},{record['transaction']},{record['amount']},"
                    f"{paid_at.strftime('%d/%m/%Y %H:%M:%S')}"
                )
                # A double charge: the same reference paid again under another number.
                for transaction, extra_at in record.get("extra", []):
                    lines.append(
                        f"{record['reference']},{transaction},{record['amount']},"
                        f"{extra_at.strftime('%d/%m/%Y %H:%M:%S')}"
                    )
        return self._text(200, "\n".join(lines) + "\n", "text/csv; charset=utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The payment sandbox (VNPay and PayGov sides).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--vnpay-tmn", default="MOTCUA01")
    parser.add_argument("--vnpay-secret", default="sandbox-vnpay-secret")
    parser.add_argument("--paygov-partner", default="MOTCUA")
    parser.add_argument("--paygov-secret", default="sandbox-paygov-secret")
    parser.add_argument("--paygov-token", default="sandbox-token")
    options = parser.parse_args(argv)
    handler = type("BoundHandler", (Handler,), {"state": State(options)})
    server = ThreadingHTTPServer((options.host, options.port), handler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
