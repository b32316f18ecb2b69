"""A local SMS brandname + Zalo ZNS gateway for tests and demos (never for production).

    python -m motcua.notify.gateway --port 8765 [--sms-key KEY] [--zalo-token TOKEN]
        [--zalo-app-id ID --zalo-secret SECRET] [--sms-callback URL] [--zalo-callback URL]

Listens on 127.0.0.1 only. Speaks the shapes motcua's adapters use (docs/notifications.md):

    POST /sms/send        X-Api-Key; {brandname, phone, message, request_id}
                          → {code: "00", message_id} | {code: "01".."04"|"99", description}
    POST /zalo/message/template   header access_token; {phone, template_id, template_data,
                          tracking_id} → {error: 0, data: {msg_id}} | {error: -1xx, message}

and, for tests:

    GET  /_gw/health, GET /_gw/messages (every message received, with the answer given)
    POST /_gw/reset       forget messages and faults
    POST /_gw/faults      {channel: sms|zalo, kind: 5xx|timeout|not_on_zalo|invalid_token|
                           quota|template|refuse, times: n}
    POST /_gw/config      {sms_callback, zalo_callback, auto_receipts: bool}
    POST /_gw/receipts    send the pending delivery receipts to the callbacks now; their answers

A delivery receipt is due for every accepted message; with ``auto_receipts`` it is sent right
after the answer, otherwise when a test asks (so tests never wait on a timer).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SMS_FAULTS = {"5xx", "timeout", "refuse"}
ZALO_FAULTS = {"5xx", "timeout", "not_on_zalo", "invalid_token", "quota", "template"}
# Zalo's codes for the injected refusals (motcua.notify.channels).
ZALO_CODES = {
    "not_on_zalo": (-118, "Zalo account does not exist"),
    "invalid_token": (-124, "Access token is invalid"),
    "quota": (-144, "OA has exceeded the daily quota"),
    "template": (-109, "Template ID is invalid"),
}
TIMEOUT_SLEEP = 5.0  # longer than the client's time-out in tests


class State:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.lock = threading.Lock()
        self.sms_callback = options.sms_callback
        self.zalo_callback = options.zalo_callback
        self.auto_receipts = False
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.messages: list[dict[str, Any]] = []
            self.faults: dict[str, list[str]] = {"sms": [], "zalo": []}
            self.pending: list[dict[str, Any]] = []
            self.counter = 0

    def fault(self, channel: str) -> str | None:
        with self.lock:
            queue = self.faults[channel]
            return queue.pop(0) if queue else None

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self.counter += 1
            return f"{prefix}{self.counter:06d}"


def send_receipt(state: State, receipt: dict[str, Any]) -> dict[str, Any]:
    if receipt["channel"] == "sms":
        url = state.sms_callback
        body = json.dumps(
            {
                "message_id": receipt["message_id"],
                "request_id": receipt["request_id"],
                "status": "DELIVERED",
                "delivered_at": datetime.now(UTC).isoformat(),
            }
        ).encode()
        headers = {"Content-Type": "application/json"}
    else:
        url = state.zalo_callback
        timestamp = str(int(time.time() * 1000))
        body = json.dumps(
            {
                "app_id": state.options.zalo_app_id,
                "event_name": "user_received_message",
                "timestamp": timestamp,
                "message": {
                    "msg_id": receipt["message_id"],
                    "tracking_id": receipt["request_id"],
                    "delivery_time": timestamp,
                },
            }
        ).encode()
        mac = hashlib.sha256(
            state.options.zalo_app_id.encode()
            + body
            + timestamp.encode()
            + state.options.zalo_secret.encode()
        ).hexdigest()
        headers = {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}
    if not url:
        return {"receipt": receipt, "status": None, "answer": "no callback URL"}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return {
                "receipt": receipt,
                "status": response.status,
                "answer": response.read().decode(),
            }
    except urllib.error.HTTPError as error:
        return {"receipt": receipt, "status": error.code, "answer": error.read().decode()}
    except OSError as error:
        return {"receipt": receipt, "status": None, "answer": str(error)}


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = min(int(self.headers.get("Content-Length") or 0), 1024 * 1024)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return None

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        state = self.server.state
        if self.path == "/_gw/health":
            self._json(200, {"ok": True})
        elif self.path == "/_gw/messages":
            with state.lock:
                self._json(200, list(state.messages))
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        state = self.server.state
        body = self._body()
        if self.path == "/_gw/reset":
            state.reset()
            self._json(200, {"ok": True})
        elif self.path == "/_gw/faults":
            channel, kind = body.get("channel"), body.get("kind")
            allowed = SMS_FAULTS if channel == "sms" else ZALO_FAULTS if channel == "zalo" else ()
            if kind not in allowed:
                self._json(400, {"error": f"unknown fault {channel}/{kind}"})
                return
            with state.lock:
                state.faults[channel].extend([kind] * int(body.get("times", 1)))
            self._json(200, {"ok": True})
        elif self.path == "/_gw/config":
            for name in ("sms_callback", "zalo_callback", "auto_receipts"):
                if name in body:
                    setattr(state, name, body[name])
            self._json(200, {"ok": True})
        elif self.path == "/_gw/receipts":
            with state.lock:
                pending, state.pending = state.pending, []
            self._json(200, [send_receipt(state, receipt) for receipt in pending])
        elif self.path == "/sms/send":
            self._sms(body)
        elif self.path == "/zalo/message/template":
            self._zalo(body)
        else:
            self._json(404, {"error": "not found"})

    def _record(self, channel: str, body: Any, status: int, answer: Any) -> None:
        with self.server.state.lock:
            self.server.state.messages.append(
                {"channel": channel, "body": body, "status": status, "answer": answer}
            )

    def _accepted(self, channel: str, message_id: str, request_id: str) -> None:
        state = self.server.state
        receipt = {"channel": channel, "message_id": message_id, "request_id": request_id}
        if state.auto_receipts:
            threading.Thread(target=send_receipt, args=(state, receipt), daemon=True).start()
        else:
            with state.lock:
                state.pending.append(receipt)

    def _sms(self, body: Any) -> None:
        state = self.server.state
        fault = state.fault("sms")
        if fault == "timeout":
            # Recorded first: the client gives up before the answer.
            self._record("sms", body, 0, "timeout")
            time.sleep(TIMEOUT_SLEEP)
        if fault in ("5xx", "timeout"):
            if fault == "5xx":
                self._record("sms", body, 503, "unavailable")
            self._json(503, {"code": "99", "description": "Service unavailable"})
            return
        answer: dict[str, Any]
        if self.headers.get("X-Api-Key") != state.options.sms_key:
            answer = {"code": "04", "description": "Authentication failed"}
        elif not isinstance(body, dict):
            answer = {"code": "03", "description": "Invalid request"}
        elif body.get("brandname") in (None, ""):
            answer = {"code": "01", "description": "Brandname not registered"}
        elif not str(body.get("phone", "")).startswith("84") or len(str(body["phone"])) != 11:
            answer = {"code": "02", "description": "Invalid phone number"}
        elif (
            fault == "refuse"
            or len(str(body.get("message", ""))) > 160
            or not str(body.get("message", "")).isascii()
        ):
            answer = {"code": "03", "description": "Message content not allowed"}
        else:
            answer = {"code": "00", "message_id": state.next_id("SMS"), "description": "OK"}
            self._accepted("sms", answer["message_id"], str(body.get("request_id", "")))
        self._record("sms", body, 200, answer)
        self._json(200, answer)

    def _zalo(self, body: Any) -> None:
        state = self.server.state
        fault = state.fault("zalo")
        if fault == "timeout":
            # Recorded first: the client gives up before the answer.
            self._record("zalo", body, 0, "timeout")
            time.sleep(TIMEOUT_SLEEP)
        if fault in ("5xx", "timeout"):
            if fault == "5xx":
                self._record("zalo", body, 502, "bad gateway")
            self._json(502, {"error": -1, "message": "Bad gateway"})
            return
        answer: dict[str, Any]
        if self.headers.get("access_token") != state.options.zalo_token:
            code, message = ZALO_CODES["invalid_token"]
            answer = {"error": code, "message": message}
        elif not isinstance(body, dict) or not isinstance(body.get("template_data"), dict):
            answer = {"error": -112, "message": "Template data is invalid"}
        elif not str(body.get("phone", "")).startswith("84"):
            answer = {"error": -108, "message": "Phone number is invalid"}
        elif fault in ZALO_CODES:
            code, message = ZALO_CODES[fault]
            answer = {"error": code, "message": message}
        else:
            msg_id = state.next_id("ZNS")
            answer = {"error": 0, "message": "Success", "data": {"msg_id": msg_id}}
            self._accepted("zalo", msg_id, str(body.get("tracking_id", "")))
        self._record("zalo", body, 200, answer)
        self._json(200, answer)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, state: State) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.state = state


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sms-key", default="sms-test-key")
    parser.add_argument("--zalo-token", default="zalo-test-token")
    parser.add_argument("--zalo-app-id", default="zalo-test-app")
    parser.add_argument("--zalo-secret", default="zalo-test-secret")
    parser.add_argument("--sms-callback", default="")
    parser.add_argument("--zalo-callback", default="")
    options = parser.parse_args(argv)
    server = Server(options.port, State(options))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
