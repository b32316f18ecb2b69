"""The channels: one interface, three adapters (e-mail, SMS brandname, Zalo ZNS).

An adapter sends one outbox row and answers with the provider's message id, or raises
:class:`Retry` (the provider or the network failed for now: try again later) or
:class:`Refused` (the provider refused this message for good: never again on this channel;
for Zalo the worker falls back to SMS). The HTTP shapes are in docs/notifications.md; what
the real providers do differently is listed there too.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.mail import EmailMessage

from motcua.notify.models import Notification


class Retry(Exception):
    """A failure worth another attempt (time-out, 5xx, a provider's system error)."""


class Refused(Exception):
    """A refusal for good; ``code`` is the provider's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class ChannelAdapter(Protocol):
    """Sends one row; returns the provider's message id."""

    def send(self, notification: Notification) -> str: ...


_PHONE = re.compile(r"(?:\+?84|0)(\d{9})")


def phone_84(phone: str) -> str | None:
    """A Vietnamese mobile number in the 84… form gateways expect (``0912 345 678``,
    ``+84912345678`` → ``84912345678``), or None when it is not one."""
    digits = re.sub(r"[\s.\-()]", "", phone or "")
    match = _PHONE.fullmatch(digits)
    if match is None or match[1][0] not in "35789":
        return None
    return "84" + match[1]


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str], timeout: float) -> Any:
    """POST ``body`` as JSON; the JSON answer. 5xx, time-outs and unreadable answers raise
    :class:`Retry`; a 4xx answer is returned when it is JSON (providers put their error code
    there) and raises :class:`Refused` otherwise."""
    request = urllib.request.Request(  # noqa: S310 - the settings' URL
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise Retry(f"HTTP {error.code}") from None
        raw = error.read(64 * 1024)
        try:
            return json.loads(raw)
        except ValueError:
            raise Refused(str(error.code), f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise Retry(f"{type(error).__name__}: {error}") from None
    try:
        return json.loads(raw)
    except ValueError:
        raise Retry("the answer is not JSON") from None


class EmailAdapter:
    """Django's mail (the SMTP server of MOTCUA_EMAIL_*)."""

    def send(self, notification: Notification) -> str:
        message = EmailMessage(
            subject=notification.subject, body=notification.body, to=[notification.recipient]
        )
        try:
            message.send()
        except OSError as error:  # smtplib's errors are OSErrors: refused, unreachable
            raise Retry(f"{type(error).__name__}: {error}") from None
        return ""  # SMTP has no message id worth keeping; e-mail has no delivery receipt


# SMS gateway answer codes (docs/notifications.md): "00" accepted; "99" the gateway's own
# failure (retry); any other code is a refusal of this message.
SMS_ACCEPTED, SMS_SYSTEM_ERROR = "00", "99"


@dataclass(frozen=True)
class SmsAdapter:
    """An SMS brandname gateway over HTTP: POST {brandname, phone (84…), message,
    request_id} with the key in ``X-Api-Key``; answer {code, message_id, description}."""

    url: str
    api_key: str
    brandname: str
    timeout: float

    def send(self, notification: Notification) -> str:
        answer = _post_json(
            self.url,
            {
                "brandname": self.brandname,
                "phone": notification.recipient,
                "message": notification.body,
                # Ours, stable across retries: a gateway that saw it already can say so.
                "request_id": f"motcua-{notification.pk}",
            },
            {"X-Api-Key": self.api_key},
            self.timeout,
        )
        code = str(answer.get("code", "")) if isinstance(answer, dict) else ""
        if code == SMS_ACCEPTED:
            return str(answer.get("message_id", ""))[:100]
        description = str(answer.get("description", "")) if isinstance(answer, dict) else ""
        if code == SMS_SYSTEM_ERROR or not code:
            raise Retry(f"{code or '?'}: {description}")
        raise Refused(code, description)


# Zalo ZNS error codes met by the adapter (Zalo's published table, not confirmed against the
# live API; docs/notifications.md). All are refusals of this message: the worker falls back
# to SMS. -124 (token) needs an operator (or a refresh) before Zalo works again.
ZALO_NOT_ON_ZALO = "-118"
ZALO_CANNOT_RECEIVE = "-119"
ZALO_TEMPLATE_INVALID = "-109"
ZALO_TEMPLATE_DATA_INVALID = "-112"
ZALO_INVALID_TOKEN = "-124"
ZALO_QUOTA = "-144"


@dataclass(frozen=True)
class ZaloAdapter:
    """Zalo ZNS: POST {phone (84…), template_id, template_data, tracking_id} with the
    ``access_token`` header; answer {error, message, data: {msg_id}} (error 0: sent)."""

    url: str
    access_token: str
    timeout: float

    def send(self, notification: Notification) -> str:
        answer = _post_json(
            self.url,
            {
                "phone": notification.recipient,
                "template_id": notification.template_id,
                "template_data": notification.template_data,
                "tracking_id": f"motcua-{notification.pk}",
            },
            {"access_token": self.access_token},
            self.timeout,
        )
        if not isinstance(answer, dict) or "error" not in answer:
            raise Retry("the answer has no error field")
        code = str(answer["error"])
        if code == "0":
            data = answer.get("data") or {}
            return str(data.get("msg_id", "") if isinstance(data, dict) else "")[:100]
        raise Refused(code, str(answer.get("message", "")))
