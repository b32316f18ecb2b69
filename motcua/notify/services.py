"""Writes of the notify app: the outbox (queue, deliver, fall back), delivery receipts and the
applicant's choice of channels.

The dossier services write the outbox rows inside their own transaction
(:func:`notifications_queue`); the worker sends them (:func:`notification_deliver`, the
tasks in ``notify.tasks``), never the clerk's request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from motcua.notify.channels import Refused, Retry, phone_84
from motcua.notify.choices import Channel, Event, Status
from motcua.notify.errors import InvalidInput
from motcua.notify.models import Notification, NotificationPreference
from motcua.notify.selectors import (
    adapter_for,
    agency_channels,
    backoff_seconds,
    max_attempts,
    preference_key,
    preferred_channels,
)
from motcua.notify.text import SMS_MAX, is_sms_safe

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One event's message, rendered for every channel by the app that knows the dossier."""

    event: Event
    email_subject: str
    email_body: str
    # Without diacritics, ≤ 160 characters (notify.text.sms_fit).
    sms_text: str
    # The ZNS template's parameters (strings).
    zalo_data: dict[str, str] = field(default_factory=dict)


def _enqueue_delivery(ids: list[int]) -> None:
    # Imported here: the tasks module imports this one.
    from motcua.notify.tasks import deliver_notifications

    deliver_notifications.enqueue(ids)


def notifications_queue(
    *,
    dossier_id: int,
    agency_id: int,
    message: Message,
    email: str,
    phone: str,
    now: datetime,
) -> list[Notification]:
    """Write the outbox rows of ``message`` for every channel the agency uses and the
    applicant chose, and enqueue their delivery once the caller's transaction commits.

    Call inside the transaction of the action the message follows: rolled back, nothing is
    sent; committed, nothing is lost (a lost enqueue is picked up by the worker's sweep).
    Zalo without a template for the event is replaced by SMS. Returns the rows written.
    """
    if message.sms_text and not is_sms_safe(message.sms_text):
        raise InvalidInput("sms_text", f"not GSM-7 within {SMS_MAX} characters")
    number = phone_84(phone)
    agency = agency_channels(agency_id)
    chosen = preferred_channels(phone=number, email=email)
    channels = set(agency.channels if chosen is None else agency.channels & chosen)
    template_id = agency.templates.get(str(message.event), "")
    if Channel.ZALO in channels and not template_id:
        channels.discard(Channel.ZALO)
        if Channel.SMS in agency.channels:
            channels.add(Channel.SMS)
    rows: list[Notification] = []
    common = {
        "dossier_id": dossier_id,
        "event": message.event,
        "agency_id": agency_id,
        "next_attempt_at": now,
        "created_at": now,
    }
    if Channel.EMAIL in channels and email:
        rows.append(
            Notification(
                channel=Channel.EMAIL,
                recipient=email,
                subject=message.email_subject[:300],
                body=message.email_body,
                **common,
            )
        )
    if number and Channel.ZALO in channels:
        rows.append(
            Notification(
                channel=Channel.ZALO,
                recipient=number,
                body=message.sms_text,  # for the SMS fallback
                template_id=template_id,
                template_data=message.zalo_data,
                **common,
            )
        )
    if number and Channel.SMS in channels and message.sms_text:
        rows.append(
            Notification(channel=Channel.SMS, recipient=number, body=message.sms_text, **common)
        )
    if not rows:
        return []
    for row in rows:
        row.save(force_insert=True)
    transaction.on_commit(partial(_enqueue_delivery, [row.pk for row in rows]), robust=True)
    return rows


def notification_deliver(*, notification_id: int, now: datetime) -> str | None:
    """Send one queued row whose time has come; returns its new status, or None when it was
    not this call's to send (sent already, claimed by another worker, not due yet).

    The claim is a compare-and-set on the status, so of two workers exactly one sends. A
    failure worth retrying puts the row back in the queue with a backoff until the last
    attempt (MOTCUA_NOTIFY_MAX_ATTEMPTS); a refusal fails it at once. A Zalo row that fails
    falls back to SMS (when the applicant gets no SMS of the event already).
    """
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Status.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return None
    row = Notification.objects.get(pk=notification_id)
    outcome: dict[str, object]
    try:
        provider_id = adapter_for(row).send(row)
    except Refused as refusal:
        outcome = {"status": Status.FAILED, "error": str(refusal)[:2000]}
    except Retry as failure:
        outcome = _retry_or_fail(row, str(failure), now)
    except Exception as error:  # an adapter's bug must not leave the row claimed forever
        logger.exception("notification %s: unexpected error", notification_id)
        outcome = _retry_or_fail(row, f"{type(error).__name__}: {error}", now)
    else:
        outcome = {
            "status": Status.SENT,
            "sent_at": now,
            "provider_message_id": provider_id,
            "error": "",
        }
    Notification.objects.filter(pk=row.pk, status=Status.SENDING).update(**outcome)
    status = str(outcome["status"])
    if status == Status.FAILED:
        logger.warning(
            "notification %s (%s, dossier %s) failed: %s",
            row.pk,
            row.channel,
            row.dossier_id,
            outcome["error"],
        )
        if row.channel == Channel.ZALO:
            fallback = _sms_fallback(row, now)
            if fallback is not None:
                notification_deliver(notification_id=fallback.pk, now=now)
    return status


def _retry_or_fail(row: Notification, error: str, now: datetime) -> dict[str, object]:
    attempts = row.attempts  # already counts this one
    if attempts >= max_attempts():
        return {"status": Status.FAILED, "error": f"{error} ({attempts} attempts)"[:2000]}
    return {
        "status": Status.QUEUED,
        "error": error[:2000],
        "next_attempt_at": now + timedelta(seconds=backoff_seconds(attempts)),
    }


def _sms_fallback(zalo: Notification, now: datetime) -> Notification | None:
    """The SMS that replaces a failed Zalo message, or None (no text, SMS off for the agency,
    an SMS of the same event sent already, or the fallback written by another worker)."""
    if not zalo.body or Channel.SMS not in agency_channels(zalo.agency_id).channels:
        return None
    siblings = Notification.objects.filter(
        dossier_id=zalo.dossier_id,
        event=zalo.event,
        created_at=zalo.created_at,
        channel=Channel.SMS,
    )
    if siblings.exists():
        return None
    row = Notification(
        dossier_id=zalo.dossier_id,
        event=zalo.event,
        agency_id=zalo.agency_id,
        channel=Channel.SMS,
        recipient=zalo.recipient,
        body=zalo.body,
        next_attempt_at=now,
        created_at=zalo.created_at,
        fallback_for=zalo,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        # The one-to-one ``fallback_for``: another worker wrote it first.
        return None
    return row


def notifications_deliver_due(*, now: datetime, limit: int = 200) -> int:
    """Send the queued rows whose time has come (retries, and first tries whose enqueue was
    lost); returns how many this call sent or settled."""
    from motcua.notify.selectors import notifications_due

    done = 0
    for notification_id in notifications_due(now=now, limit=limit):
        if notification_deliver(notification_id=notification_id, now=now) is not None:
            done += 1
    return done


# Receipt statuses as providers write them, to ours.
_DELIVERED = {"delivered", "delivrd", "success", "user_received_message"}


def delivery_receipt_record(
    *, channel: Channel, provider_message_id: str, receipt_status: str, at: datetime
) -> bool:
    """Store a provider's delivery receipt on the row it sent; returns whether there was
    one. A receipt saying delivered moves the row to DELIVERED, one saying it was not
    delivered to FAILED; the same receipt twice changes nothing more."""
    if not provider_message_id:
        return False
    receipt_status = receipt_status.strip()[:40]
    delivered = receipt_status.lower() in _DELIVERED
    rows = Notification.objects.filter(
        channel=channel,
        provider_message_id=provider_message_id,
        status__in=[Status.SENT, Status.DELIVERED, Status.FAILED],
    )
    changes: dict[str, object] = {"receipt_status": receipt_status, "receipt_at": at}
    if delivered:
        changes["status"] = Status.DELIVERED
    else:
        changes["status"] = Status.FAILED
        changes["error"] = _("Delivery receipt: %(status)s") % {"status": receipt_status}
    return bool(rows.update(**changes))


def notification_preference_set(
    *, phone: str = "", email: str = "", channels: list[str]
) -> NotificationPreference:
    """Record the channels an applicant chose, keyed by phone (84… form) and by e-mail.

    To be called by the portal's submission form (and the counter's) with the applicant's
    contact; raises :class:`InvalidInput` naming the field for a bad phone, no contact, an
    unknown channel or a channel the contact cannot receive.
    """
    number = phone_84(phone) if phone else None
    if phone and number is None:
        raise InvalidInput("phone", _("not a Vietnamese mobile number"))
    if not number and not email:
        raise InvalidInput("phone", _("a phone number or an e-mail address is needed"))
    chosen: list[str] = []
    for channel in channels:
        if channel not in Channel.values:
            raise InvalidInput("channels", _("unknown channel %(channel)r") % {"channel": channel})
        if channel != Channel.EMAIL and not number:
            raise InvalidInput("channels", _("SMS and Zalo need a phone number"))
        if channel == Channel.EMAIL and not email:
            raise InvalidInput("channels", _("e-mail needs an e-mail address"))
        if channel not in chosen:
            chosen.append(channel)
    if not chosen:
        raise InvalidInput("channels", _("choose at least one channel"))
    last: NotificationPreference | None = None
    with transaction.atomic():
        for key in [
            preference_key(phone=number) if number else "",
            preference_key(email=email) if email else "",
        ]:
            if key:
                last, _created = NotificationPreference.objects.update_or_create(
                    key=key, defaults={"channels": chosen}
                )
    assert last is not None
    return last
