"""Delivery-receipt callbacks of the SMS gateway and of Zalo (public, no session).

SMS: the token in the URL (MOTCUA_SMS_CALLBACK_TOKEN, the URL given to the gateway) is
compared in constant time. Zalo: the ``X-ZEvent-Signature`` header, ``mac=`` SHA-256 of app
id + body + timestamp + OA secret key. A body larger than MOTCUA_NOTIFY["CALLBACK_MAX_BYTES"]
is refused before it is read; a forged or malformed receipt changes nothing and is logged.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.notify.choices import Channel
from motcua.notify.services import delivery_receipt_record

logger = logging.getLogger(__name__)


class _Bad(Exception):
    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(message)
        self.status, self.field, self.message = status, field, message


def _body(request: HttpRequest) -> bytes:
    limit = int(settings.MOTCUA_NOTIFY["CALLBACK_MAX_BYTES"])
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _Bad(400, "Content-Length", "not a number") from None
    if length > limit:
        raise _Bad(413, "body", f"larger than {limit} bytes")
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise _Bad(413, "body", f"larger than {limit} bytes")
    return raw


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise _Bad(400, "body", "not JSON") from None
    if not isinstance(data, dict):
        raise _Bad(400, "body", "not a JSON object")
    return data


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise _Bad(400, field, "missing")
    text = str(value).strip()
    if len(text) > 100:
        raise _Bad(400, field, "longer than 100 characters")
    return text


def _answer(kind: str, request: HttpRequest, handle: Any) -> JsonResponse:
    try:
        found = handle()
    except _Bad as bad:
        logger.warning(
            "%s delivery receipt refused from %s: %s: %s",
            kind,
            request.META.get("REMOTE_ADDR"),
            bad.field,
            bad.message,
        )
        return JsonResponse(
            {"code": str(bad.status), "field": bad.field, "error": bad.message},
            status=bad.status,
        )
    return JsonResponse({"code": "00", "found": found})


@csrf_exempt
@require_POST
def sms_receipt(request: HttpRequest, token: str) -> JsonResponse:
    """The SMS gateway's receipt: {message_id, status, delivered_at (ISO 8601, optional)}."""

    def handle() -> bool:
        expected = settings.MOTCUA_SMS["CALLBACK_TOKEN"]
        if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
            raise _Bad(403, "token", "not this gateway's")
        data = _json(_body(request))
        at = timezone.now()
        if data.get("delivered_at"):
            try:
                at = datetime.fromisoformat(str(data["delivered_at"])[:40])
            except ValueError:
                raise _Bad(400, "delivered_at", "not an ISO 8601 moment") from None
            if at.tzinfo is None:
                raise _Bad(400, "delivered_at", "no time zone")
        return delivery_receipt_record(
            channel=Channel.SMS,
            provider_message_id=_text(data, "message_id"),
            receipt_status=_text(data, "status"),
            at=at,
        )

    return _answer("SMS", request, handle)


@csrf_exempt
@require_POST
def zalo_receipt(request: HttpRequest) -> JsonResponse:
    """Zalo's ``user_received_message`` webhook: {app_id, event_name, timestamp,
    message: {msg_id, delivery_time (ms)}}."""

    def handle() -> bool:
        raw = _body(request)
        app_id = str(settings.MOTCUA_ZALO["APP_ID"])
        secret = str(settings.MOTCUA_ZALO["OA_SECRET"])
        if not secret:
            raise _Bad(403, "X-ZEvent-Signature", "no OA secret configured")
        data = _json(raw)
        timestamp = str(data.get("timestamp", ""))[:20]
        mac = hashlib.sha256(
            app_id.encode() + raw + timestamp.encode() + secret.encode()
        ).hexdigest()
        given = request.headers.get("X-ZEvent-Signature", "")[:100]
        if not hmac.compare_digest(given.encode(), f"mac={mac}".encode()):
            raise _Bad(403, "X-ZEvent-Signature", "does not match")
        if str(data.get("app_id", "")) != app_id:
            raise _Bad(403, "app_id", "not ours")
        message = data.get("message")
        if not isinstance(message, dict):
            raise _Bad(400, "message", "missing")
        event = _text(data, "event_name")
        at = timezone.now()
        delivery = message.get("delivery_time")
        if delivery is not None:
            try:
                at = datetime.fromtimestamp(int(delivery) / 1000, tz=UTC)
            except (ValueError, OverflowError, OSError):
                raise _Bad(400, "message.delivery_time", "not milliseconds") from None
        return delivery_receipt_record(
            channel=Channel.ZALO,
            provider_message_id=_text(message, "msg_id"),
            receipt_status=event,
            at=at,
        )

    return _answer("Zalo", request, handle)
