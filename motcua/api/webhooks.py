"""Webhooks: dossier events sent, signed, to the subscribers' receivers (issue 12 item 3;
docs/api.md "Webhooks").

**From the outbox.** The events table is the transactional outbox (``dossiers.feed``). The
*fan-out* (:func:`webhooks_fan_out`) reads the feed through its own consumer cursor
(``FeedCursor`` "webhooks", claimed so that of the worker processes one at a time fans out)
and, in one transaction with advancing that cursor, writes a pending
:class:`~motcua.api.models.WebhookDelivery` per event and matching subscription: an event is
handed on once (at-least-once delivery from there), in the feed's order.

**Sending.** The *sender* (:func:`webhooks_send`) takes the due deliveries that are the oldest
pending one of their (subscription, dossier): a later event of a dossier waits while an
earlier one is pending, so a receiver gets each dossier's events in order; different dossiers
and different subscriptions go independently. A delivery is *taken* with a lease in a short
transaction, sent outside any transaction (an HTTP call never holds a database transaction,
which would hold back every feed reader), and its outcome recorded in the delivery log
(:class:`~motcua.api.models.WebhookAttempt`: response code, duration, error). Up to
``CONCURRENCY`` sends run at once, and a subscription that is failing gets one per pass, so a
receiver that hangs or answers 500 does not hold up the others.

**Retries.** A non-2xx answer (a redirect too: never followed), a timeout or a refused
connection is retried with exponential backoff and jitter (``BACKOFF_BASE_SECONDS`` doubling
up to ``BACKOFF_MAX_SECONDS``, a random half of it taken off). After ``FAILING_AFTER_ATTEMPTS``
failed attempts of one delivery the subscription is marked *failing*: it keeps being retried,
at the capped interval, one delivery per pass; the first success makes it *active* again.
Failing for ``DISABLE_AFTER_HOURS``, it is *disabled*: nothing more is sent or queued for it
until ``motcua api webhooks enable`` (and ``replay --since`` for what it missed).

**Signature** (the Standard Webhooks convention, www.standardwebhooks.com, with a hex
signature): headers ``Webhook-Id`` (the same on every attempt and replay of one event to one
subscription), ``Webhook-Timestamp`` (Unix seconds) and ``Webhook-Signature: v1=<hex>``, the
HMAC-SHA256 with the subscription's secret (its UTF-8 bytes) over
``"{id}.{timestamp}.{body}"``. After a rotation both the new and the previous secret sign
(``v1=<new> v1=<previous>``) for ``ROTATION_OVERLAP_HOURS``. :func:`signature_verify` is the
receiver's check (docs/api.md shows it standalone).

**Targets** (SSRF): http or https only, no user name or password in the URL; the host is
resolved and every address must be public unless ``ALLOW_PRIVATE`` (true in development and
tests, false in production); the connection goes to the address checked (no second
resolution), with a bounded timeout per socket operation; redirects are never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import random
import secrets
import socket
import ssl
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.access import user_unit_ids
from motcua.api.choices import DeliveryState, WebhookState
from motcua.api.models import ApiClient, WebhookAttempt, WebhookDelivery, WebhookSubscription
from motcua.core.errors import DomainError
from motcua.dossiers.access import STAFF_ROLES
from motcua.dossiers.choices import Action
from motcua.dossiers.feed import (
    START,
    FeedPosition,
    cursor_position,
    feed_advance,
    feed_claim,
    feed_position_at,
    feed_read,
)
from motcua.dossiers.models import DossierEvent
from motcua.units.models import AdministrativeUnit
from motcua.units.selectors import unit_lineage, unit_versions

FAN_OUT_CONSUMER = "webhooks"
FAN_OUT_PAGE = 500
REPLAY_MAX = 10_000
BODY_LOG_BYTES = 64 * 1024  # read of a receiver's answer at most (then the connection closes)
USER_AGENT = "motcua-webhooks/1"


class WebhookError(DomainError):
    """A refused webhook command: nothing was changed; ``field`` names the input."""


def webhook_setting(name: str) -> Any:
    return settings.MOTCUA_WEBHOOKS[name]


# -- targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A checked target: where to connect (an address checked against the SSRF rule)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def target_check(url: str, *, resolve: bool = True) -> Target:
    """``url`` as a webhook target, or :class:`WebhookError` naming ``url``: http(s), a host,
    no credentials, and (``resolve``) an address that is public unless private ones are
    allowed (``MOTCUA_WEBHOOK_ALLOW_PRIVATE``)."""
    url = (url or "").strip()
    if not url or len(url) > 500:
        raise WebhookError(_("give the receiver's URL (at most 500 characters)"), field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookError(_("this is not a URL"), field="url") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookError(_("the URL must start with http:// or https://"), field="url")
    if not parts.hostname:
        raise WebhookError(_("the URL has no host"), field="url")
    if parts.username is not None or parts.password is not None:
        raise WebhookError(_("the URL must not hold a user name or password"), field="url")
    if parts.fragment:
        raise WebhookError(_("the URL must not have a fragment (#…)"), field="url")
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    address = ""
    if resolve:
        try:
            found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise WebhookError(
                _("the host %(host)s cannot be resolved") % {"host": parts.hostname},
                field="url",
            ) from None
        addresses = [str(info[4][0]) for info in found]
        if not webhook_setting("ALLOW_PRIVATE"):
            refused = [a for a in addresses if not _address_allowed(a)]
            if refused:
                raise WebhookError(
                    _("%(host)s is a private or local address (%(address)s): refused")
                    % {"host": parts.hostname, "address": refused[0]},
                    field="url",
                )
        address = addresses[0]
    return Target(parts.scheme, parts.hostname, port, path, address)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address checked, not to a second resolution of the host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a response code (None: no answer), the time, an error."""

    status: int | None
    duration_ms: int
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _post(url: str, headers: dict[str, str], body: bytes) -> Outcome:
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = target_check(url)
    except WebhookError as refused:
        return Outcome(None, took(), refused.message[:300])
    timeout = float(webhook_setting("TIMEOUT_SECONDS"))
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(BODY_LOG_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as failure:
        kind = "timeout" if isinstance(failure, TimeoutError | socket.timeout) else "error"
        return Outcome(None, took(), f"{kind}: {failure!s}"[:300] or kind)
    finally:
        connection.close()
    problem = ""
    if 300 <= status < 400:
        problem = "redirect not followed"
    elif status >= 400:
        problem = f"HTTP {status}"
    return Outcome(status, took(), problem)


# -- signatures ---------------------------------------------------------------------------


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """``v1=<hex>``: HMAC-SHA256 with ``secret`` over ``"{id}.{timestamp}.{body}"``."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signing_secrets(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during the overlap."""
    found = [subscription.secret]
    until = subscription.previous_until
    if subscription.previous_secret and until is not None and now < until:
        found.append(subscription.previous_secret)
    return found


def signed_headers(
    subscription: WebhookSubscription, message_id: str, body: str, now: datetime
) -> dict[str, str]:
    timestamp = int(now.timestamp())
    signatures = " ".join(
        signature(secret, message_id, timestamp, body)
        for secret in signing_secrets(subscription, now)
    )
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": message_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signatures,
    }


def signature_verify(
    secret: str, headers: dict[str, str], body: bytes, *, now: float, tolerance: int = 300
) -> bool:
    """The receiver's check: one of the ``v1=`` signatures is ours, and the timestamp is
    within ``tolerance`` seconds of ``now`` (replayed old messages are refused)."""
    lower = {k.lower(): v for k, v in headers.items()}
    message_id = lower.get("webhook-id", "")
    timestamp = lower.get("webhook-timestamp", "")
    if not message_id or not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, message_id, int(timestamp), body.decode())
    return any(
        hmac.compare_digest(expected, given) for given in lower.get("webhook-signature", "").split()
    )


# -- subscriptions (writes) ---------------------------------------------------------------


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _units(codes: Iterable[str]) -> list[AdministrativeUnit]:
    found = []
    for code in codes:
        unit = unit_versions(code.strip()).last()
        if unit is None:
            raise WebhookError(_("there is no unit %(code)s") % {"code": code}, field="unit")
        found.append(unit)
    return found


def _kinds(kinds: Iterable[str]) -> list[str]:
    chosen = []
    for kind in kinds:
        if kind not in Action.values:
            raise WebhookError(
                _("unknown event kind %(kind)s (one of: %(kinds)s)")
                % {"kind": kind, "kinds": ", ".join(Action.values)},
                field="kind",
            )
        chosen.append(kind)
    return sorted(set(chosen))


def subscription_create(
    *,
    client_id: str,
    target_url: str,
    unit_codes: Iterable[str] = (),
    kinds: Iterable[str] = (),
    now: datetime | None = None,
) -> tuple[WebhookSubscription, str]:
    """A new active subscription of the client ``client_id``; its secret, shown once."""
    now = now or timezone.now()
    client = ApiClient.objects.filter(client_id=client_id.strip(), active=True).first()
    if client is None:
        raise WebhookError(
            _("there is no active client %(client)s") % {"client": client_id}, field="client"
        )
    target_check(target_url)
    units, chosen_kinds = _units(unit_codes), _kinds(kinds)
    secret = _new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            client=client,
            target_url=target_url.strip(),
            kinds=chosen_kinds,
            secret=secret,
            created_at=now,
        )
        subscription.units.set(units)
    return subscription, secret


def _subscription(subscription_id: int | str) -> WebhookSubscription:
    try:
        pk = int(subscription_id)
    except (TypeError, ValueError):
        pk = 0
    found = WebhookSubscription.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise WebhookError(
            _("there is no webhook subscription %(id)s") % {"id": subscription_id},
            field="subscription",
        )
    return found


def subscription_rotate(*, subscription_id: int | str, now: datetime | None = None) -> str:
    """A new secret (returned, shown once); the old one keeps signing too for
    ``ROTATION_OVERLAP_HOURS``, so the receiver can switch without losing a message."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = _subscription(subscription_id)
        secret = _new_secret()
        subscription.previous_secret = subscription.secret
        subscription.previous_until = now + timedelta(
            hours=int(webhook_setting("ROTATION_OVERLAP_HOURS"))
        )
        subscription.secret = secret
        subscription.save(update_fields=["secret", "previous_secret", "previous_until"])
    return secret


def subscription_disable(
    *, subscription_id: int | str, now: datetime | None = None
) -> WebhookSubscription:
    """Nothing more is queued or sent for it (its pending deliveries stay, for ``enable``)."""
    with transaction.atomic():
        subscription = _subscription(subscription_id)
        subscription.state = WebhookState.DISABLED
        subscription.disabled_at = now or timezone.now()
        subscription.save(update_fields=["state", "disabled_at"])
    return subscription


def subscription_enable(*, subscription_id: int | str) -> WebhookSubscription:
    """Active again: its pending deliveries are retried at once."""
    with transaction.atomic():
        subscription = _subscription(subscription_id)
        subscription.state = WebhookState.ACTIVE
        subscription.disabled_at = subscription.failing_since = None
        subscription.save(update_fields=["state", "disabled_at", "failing_since"])
        subscription.deliveries.filter(state=DeliveryState.PENDING).update(
            next_attempt_at=timezone.now(), leased_until=None
        )
    return subscription


# -- fan-out ------------------------------------------------------------------------------


class _Scope:
    """Which events a subscription takes: its kinds, and its units within its client's."""

    def __init__(self, subscription: WebhookSubscription, *, history: bool = False) -> None:
        self.subscription = subscription
        # A replay takes what happened before the subscription existed too.
        self.since = None if history else subscription.created_at
        self.kinds = frozenset(subscription.kinds or ())
        client_units = user_unit_ids(subscription.client.user, STAFF_ROLES)
        chosen: set[int] | None = None
        for unit in subscription.units.all():
            chosen = (chosen or set()) | set(unit_lineage(unit).values_list("id", flat=True))
        if client_units is None:
            self.units = chosen
        elif chosen is None:
            self.units = set(client_units)
        else:
            self.units = chosen & set(client_units)

    def takes(self, event: DossierEvent) -> bool:
        # What happened before the subscription existed is not sent (replay --since is).
        if self.since is not None and event.recorded_at < self.since:
            return False
        if self.kinds and event.action not in self.kinds:
            return False
        if self.units is None:
            return True
        dossier = event.dossier
        return dossier.receiving_unit_id in self.units or dossier.handling_unit_id in self.units


def message_id(event: DossierEvent, subscription: WebhookSubscription) -> str:
    return f"msg_{event.pk}_{subscription.pk}"


def event_body(event: DossierEvent, codes: dict[int, str], message: str, now: datetime) -> str:
    """The message: the event and its dossier's code and units. Thin on purpose (no
    applicant data): a receiver that needs more reads the dossier with its token."""
    dossier = event.dossier
    payload = {
        "id": message,
        "type": f"dossier.{event.action}",
        "timestamp": now.isoformat(),
        "data": {
            "dossier": dossier.code,
            "seq": event.seq,
            "action": event.action,
            "from_status": event.from_status or None,
            "to_status": event.to_status,
            "at": event.at.isoformat(),
            "recorded_at": event.recorded_at.isoformat(),
            "actor": event.actor_name,
            "reason": event.reason,
            "receiving_unit": codes.get(dossier.receiving_unit_id or 0),
            "handling_unit": codes.get(dossier.handling_unit_id or 0),
        },
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _deliveries(
    events: list[DossierEvent], scopes: list[_Scope], now: datetime
) -> list[WebhookDelivery]:
    unit_ids = {e.dossier.receiving_unit_id for e in events} | {
        e.dossier.handling_unit_id for e in events
    }
    codes = dict(
        AdministrativeUnit.objects.filter(pk__in=[u for u in unit_ids if u]).values_list(
            "pk", "code"
        )
    )
    rows = []
    for event in events:
        for scope in scopes:
            if scope.takes(event):
                message = message_id(event, scope.subscription)
                rows.append(
                    WebhookDelivery(
                        subscription=scope.subscription,
                        event=event,
                        dossier_id=event.dossier_id,
                        message_id=message,
                        body=event_body(event, codes, message, now),
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
    return rows


def _live_scopes() -> list[_Scope]:
    subscriptions = (
        WebhookSubscription.objects.exclude(state=WebhookState.DISABLED)
        .filter(client__active=True)
        .select_related("client__user")
        .prefetch_related("units")
    )
    return [_Scope(s) for s in subscriptions]


def webhooks_fan_out(*, now: datetime | None = None, pages: int = 10) -> int:
    """Queue a delivery per new event and matching subscription; the number queued. Each
    page of the feed in one transaction with the cursor's advance; None of it when another
    worker is fanning out (the cursor is claimed)."""
    queued = 0
    for _page in range(pages):
        with transaction.atomic():
            cursor = feed_claim(FAN_OUT_CONSUMER)
            if cursor is None:
                return queued
            at = now or timezone.now()
            position = cursor_position(cursor)
            if position == START:
                # The first run: nothing before the oldest subscription can be sent, so start
                # there instead of reading a deployment's whole history.
                oldest = WebhookSubscription.objects.aggregate(first=Min("created_at"))["first"]
                position = feed_position_at(min(oldest or at, at))
            page = feed_read(after=position, limit=FAN_OUT_PAGE)
            scopes = _live_scopes() if page.events else []
            rows = _deliveries(page.events, scopes, at) if scopes else []
            WebhookDelivery.objects.bulk_create(rows, batch_size=500)
            feed_advance(cursor, page.position)
        queued += len(rows)
        if not page.more:
            break
    return queued


def webhooks_replay(
    *,
    subscription_id: int | str,
    since: datetime | None = None,
    delivery_id: int | str | None = None,
    now: datetime | None = None,
) -> int:
    """Queue again, for one subscription, one delivery (``delivery_id``) or every matching
    event recorded since ``since`` (at most ``REPLAY_MAX``); the number queued. Each goes
    after what is pending for its dossier, with its original ``Webhook-Id``."""
    now = now or timezone.now()
    if (since is None) == (delivery_id is None):
        raise WebhookError(_("give either --since or --delivery"), field="since")
    with transaction.atomic():
        subscription = _subscription(subscription_id)
        if delivery_id is not None:
            try:
                original = subscription.deliveries.get(pk=int(delivery_id))
            except (ValueError, WebhookDelivery.DoesNotExist):
                raise WebhookError(
                    _("subscription %(s)s has no delivery %(d)s")
                    % {"s": subscription.pk, "d": delivery_id},
                    field="delivery",
                ) from None
            WebhookDelivery.objects.create(
                subscription=subscription,
                event_id=original.event_id,
                dossier_id=original.dossier_id,
                message_id=original.message_id,
                body=original.body,
                next_attempt_at=now,
                created_at=now,
            )
            return 1
        assert since is not None
        scope = _Scope(subscription, history=True)
        position: FeedPosition = feed_position_at(since)
        queued = 0
        while queued < REPLAY_MAX:
            page = feed_read(after=position, limit=FAN_OUT_PAGE)
            events = [e for e in page.events if e.recorded_at >= since]
            rows = _deliveries(events, [scope], now)[: REPLAY_MAX - queued]
            WebhookDelivery.objects.bulk_create(rows, batch_size=500)
            queued += len(rows)
            position = page.position
            if not page.more:
                break
        return queued


# -- sending ------------------------------------------------------------------------------


def backoff_seconds(attempts: int, rng: random.Random | None = None) -> float:
    """The wait after the ``attempts``-th failure: BASE·2^(attempts-1) up to MAX, of which a
    random half is taken off (jitter: receivers coming back are not hit all at once)."""
    base = float(webhook_setting("BACKOFF_BASE_SECONDS"))
    cap = float(webhook_setting("BACKOFF_MAX_SECONDS"))
    delay = min(cap, base * 2 ** max(0, min(attempts - 1, 40)))
    return float(delay / 2 + (rng or random).uniform(0, delay / 2))


@dataclass
class SendReport:
    """What a sender pass did."""

    sent: int = 0
    delivered: int = 0
    failed: int = 0
    outcomes: list[tuple[int, Outcome]] = field(default_factory=list)


def _take(now: datetime) -> list[WebhookDelivery]:
    """The due heads of their (subscription, dossier) queues, taken with a lease: at most
    ``BATCH``, one per failing subscription."""
    batch = int(webhook_setting("BATCH"))
    lease = now + timedelta(seconds=3 * float(webhook_setting("TIMEOUT_SECONDS")) + 30)
    earlier = WebhookDelivery.objects.filter(
        subscription=OuterRef("subscription"),
        dossier=OuterRef("dossier"),
        state=DeliveryState.PENDING,
        pk__lt=OuterRef("pk"),
    )
    with transaction.atomic():
        due = (
            WebhookDelivery.objects.filter(
                state=DeliveryState.PENDING,
                next_attempt_at__lte=now,
                subscription__state__in=[WebhookState.ACTIVE, WebhookState.FAILING],
            )
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .filter(~Exists(earlier))
            .select_related("subscription")
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))[: batch * 4]
        )
        taken: list[WebhookDelivery] = []
        failing_seen: set[int] = set()
        for delivery in due:
            subscription = delivery.subscription
            if subscription.state == WebhookState.FAILING:
                if subscription.pk in failing_seen:
                    continue
                failing_seen.add(subscription.pk)
            taken.append(delivery)
            if len(taken) == batch:
                break
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in taken]).update(leased_until=lease)
    return taken


def _record(delivery: WebhookDelivery, outcome: Outcome, now: datetime) -> None:
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status=outcome.status,
            duration_ms=outcome.duration_ms,
            error=outcome.error[:300],
        )
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = outcome.status, outcome.error[:300]
        delivery.leased_until = None
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        if outcome.delivered:
            delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, now
            if subscription.state == WebhookState.FAILING:
                subscription.state, subscription.failing_since = WebhookState.ACTIVE, None
                subscription.save(update_fields=["state", "failing_since"])
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
            failing_after = int(webhook_setting("FAILING_AFTER_ATTEMPTS"))
            if subscription.state == WebhookState.ACTIVE and delivery.attempts >= failing_after:
                subscription.state, subscription.failing_since = WebhookState.FAILING, now
                subscription.save(update_fields=["state", "failing_since"])
            elif subscription.state == WebhookState.FAILING and subscription.failing_since:
                limit = timedelta(hours=int(webhook_setting("DISABLE_AFTER_HOURS")))
                if now - subscription.failing_since >= limit:
                    subscription.state, subscription.disabled_at = WebhookState.DISABLED, now
                    subscription.save(update_fields=["state", "disabled_at"])
        delivery.save(
            update_fields=[
                "attempts",
                "last_status",
                "last_error",
                "leased_until",
                "state",
                "delivered_at",
                "next_attempt_at",
            ]
        )


def webhooks_send(*, now: datetime | None = None) -> SendReport:
    """One sender pass: the due deliveries taken, sent (``CONCURRENCY`` at once), and each
    outcome logged; returns what happened."""
    report = SendReport()
    taken = _take(now or timezone.now())
    if not taken:
        return report

    def send(delivery: WebhookDelivery) -> Outcome:
        sent_at = timezone.now()
        headers = signed_headers(delivery.subscription, delivery.message_id, delivery.body, sent_at)
        return _post(delivery.subscription.target_url, headers, delivery.body.encode())

    workers = max(1, int(webhook_setting("CONCURRENCY")))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(send, taken))
    for delivery, outcome in zip(taken, outcomes, strict=True):
        _record(delivery, outcome, now or timezone.now())
        report.sent += 1
        report.delivered += int(outcome.delivered)
        report.failed += int(not outcome.delivered)
        report.outcomes.append((delivery.pk, outcome))
    return report


def webhooks_run(*, now: datetime | None = None, rounds: int = 20) -> SendReport:
    """The worker's step: fan out what is new, then send until nothing is due (at most
    ``rounds`` passes, so the worker's other duties are not starved)."""
    webhooks_fan_out(now=now)
    total = SendReport()
    for _round in range(rounds):
        report = webhooks_send(now=now)
        total.sent += report.sent
        total.delivered += report.delivered
        total.failed += report.failed
        total.outcomes += report.outcomes
        if not report.sent:
            break
        # Newly unblocked heads (the next event of a dossier just delivered) go next round.
    return total
