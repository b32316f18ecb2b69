"""Reads of the notify app: the gateways' settings, an agency's channels, an applicant's
choice, and what the worker has to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

from motcua.notify.channels import (
    ChannelAdapter,
    EmailAdapter,
    SmsAdapter,
    ZaloAdapter,
    phone_84,
)
from motcua.notify.choices import Channel, Status
from motcua.notify.models import AgencyNotifySettings, Notification, NotificationPreference


def _notify(name: str) -> int:
    return int(settings.MOTCUA_NOTIFY[name])


def max_attempts() -> int:
    return max(1, _notify("MAX_ATTEMPTS"))


def backoff_seconds(attempts: int) -> int:
    """The wait before attempt ``attempts + 1``: BACKOFF_SECONDS, doubled after each failure,
    at most a day."""
    return int(min(86400, _notify("BACKOFF_SECONDS") * 2 ** max(0, attempts - 1)))


def sms_configured() -> bool:
    return bool(settings.MOTCUA_SMS["URL"])


def zalo_configured() -> bool:
    return bool(settings.MOTCUA_ZALO["URL"])


def phone_channels_configured() -> bool:
    """Whether any channel needs the applicant's phone (no query)."""
    return sms_configured() or zalo_configured()


@dataclass(frozen=True)
class AgencyChannels:
    """What an agency sends with: its channels (configured and not turned off), its
    brandname and its ZNS template ids by event."""

    channels: frozenset[Channel]
    brandname: str
    templates: dict[str, str] = field(default_factory=dict)


def agency_channels(agency_id: int) -> AgencyChannels:
    row = AgencyNotifySettings.objects.filter(agency_id=agency_id).first()
    configured: dict[str, str] = getattr(settings, "MOTCUA_ZALO", {}).get("TEMPLATES", {})
    templates = {str(k): str(v) for k, v in configured.items()}
    channels = {Channel.EMAIL}
    if sms_configured():
        channels.add(Channel.SMS)
    if zalo_configured():
        channels.add(Channel.ZALO)
    brandname = settings.MOTCUA_SMS["BRANDNAME"]
    if row is not None:
        off = {
            Channel.EMAIL: not row.email_enabled,
            Channel.SMS: not row.sms_enabled,
            Channel.ZALO: not row.zalo_enabled,
        }
        channels = {channel for channel in channels if not off[channel]}
        brandname = row.sms_brandname or brandname
        if isinstance(row.zns_templates, dict):
            templates.update({str(k): str(v) for k, v in row.zns_templates.items() if v})
    return AgencyChannels(frozenset(channels), brandname, templates)


def preference_key(*, phone: str = "", email: str = "") -> str:
    return f"phone:{phone}" if phone else f"email:{email.strip().lower()}"


def preferred_channels(*, phone: str | None, email: str) -> frozenset[Channel] | None:
    """The channels the applicant chose (by phone first, then e-mail), or None: no choice."""
    keys = [preference_key(phone=phone)] if phone else []
    if email:
        keys.append(preference_key(email=email))
    if not keys:
        return None
    rows = {p.key: p.channels for p in NotificationPreference.objects.filter(key__in=keys)}
    for key in keys:
        if key in rows:
            return frozenset(Channel(c) for c in rows[key] if c in Channel.values)
    return None


def applicant_choice(*, phone: str, email: str) -> list[Channel] | None:
    """What the applicant of a dossier with this contact (as typed) chose to be told by, in
    the channels' order, as ``notify.services.notifications_queue`` reads it; None: no
    choice, every channel the desk uses. One query, none without a contact."""
    chosen = preferred_channels(phone=phone_84(phone), email=email)
    return None if chosen is None else [channel for channel in Channel if channel in chosen]


def adapter_for(notification: Notification) -> ChannelAdapter:
    """The adapter that sends ``notification`` (its agency's brandname for SMS)."""
    timeout = float(_notify("TIMEOUT_SECONDS"))
    if notification.channel == Channel.SMS:
        return SmsAdapter(
            url=settings.MOTCUA_SMS["URL"],
            api_key=settings.MOTCUA_SMS["API_KEY"],
            brandname=agency_channels(notification.agency_id).brandname,
            timeout=timeout,
        )
    if notification.channel == Channel.ZALO:
        return ZaloAdapter(
            url=str(settings.MOTCUA_ZALO["URL"]),
            access_token=str(settings.MOTCUA_ZALO["ACCESS_TOKEN"]),
            timeout=timeout,
        )
    return EmailAdapter()


def notifications_due(*, now: datetime, limit: int = 200) -> list[int]:
    """Ids of queued rows whose time has come, oldest first (the partial index)."""
    return list(
        Notification.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def notifications_due_exist(*, now: datetime) -> bool:
    return Notification.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now).exists()
