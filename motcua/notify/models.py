from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.notify.choices import Channel, Event, Status


class Notification(models.Model):
    """One message to one applicant on one channel: the outbox row.

    Written in the transaction of the dossier action it follows (so nothing is sent for an
    action rolled back, and nothing is lost for one committed), delivered by ``motcua
    worker``. The text is rendered when the row is written: a retry sends what the
    applicant would have got at the time, whatever the dossier became since.
    """

    # A plain id, not a foreign key: notify sits below dossiers (docs/architecture.md).
    dossier_id = models.PositiveBigIntegerField(_("dossier"), db_index=True)
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    agency = models.ForeignKey(
        "units.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    # An e-mail address, or a phone number in the 84… form.
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # E-mail: the body; SMS: the text (no diacritics, ≤ 160); Zalo: the SMS text kept for the
    # fallback.
    body = models.TextField(_("text"), blank=True)
    template_id = models.CharField(_("ZNS template"), max_length=40, blank=True)
    template_data = models.JSONField(_("ZNS template data"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    receipt_status = models.CharField(_("delivery receipt"), max_length=40, blank=True)
    receipt_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The Zalo row this SMS replaces (Zalo refused it).
    fallback_for = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fallback",
        verbose_name=_("fallback for"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The worker's sweep: rows due now (only queued ones are indexed).
            models.Index(
                fields=["next_attempt_at"],
                name="notify_queued_due",
                condition=models.Q(status="queued"),
            ),
            models.Index(fields=["channel", "provider_message_id"], name="notify_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_event_display()})"


class AgencyNotifySettings(models.Model):
    """An agency's own notification settings: which channels it uses, its SMS brandname and
    its Zalo ZNS templates. Without a row, the settings' defaults (MOTCUA_SMS, MOTCUA_ZALO)
    apply; a channel whose gateway is not configured stays off whatever the row says."""

    agency = models.OneToOneField(
        "units.Agency",
        on_delete=models.CASCADE,
        related_name="notify_settings",
        verbose_name=_("agency"),
    )
    email_enabled = models.BooleanField(_("e-mail"), default=True)
    sms_enabled = models.BooleanField(_("SMS"), default=True)
    zalo_enabled = models.BooleanField(_("Zalo"), default=True)
    sms_brandname = models.CharField(
        _("SMS brandname"),
        max_length=11,
        blank=True,
        help_text=_("Empty: MOTCUA_SMS_BRANDNAME. At most 11 characters, as carriers register."),
    )
    zns_templates = models.JSONField(
        _("ZNS templates"),
        default=dict,
        blank=True,
        help_text=_(
            'Template ids by event, e.g. {"receipt": "123", "result": "125"}; an event without '
            "one uses MOTCUA_ZALO_TEMPLATES."
        ),
    )

    class Meta:
        verbose_name = _("agency notification settings")
        verbose_name_plural = _("agency notification settings")

    def __str__(self) -> str:
        return str(self.agency)


class NotificationPreference(models.Model):
    """The channels an applicant chose, keyed by their phone (84… form) or e-mail address.

    Without a row every channel the agency uses applies. Recorded through
    ``notify.services.notification_preference_set`` (the portal's submission form).
    """

    # "phone:84912345678" or "email:khai@example.vn" (lower case).
    key = models.CharField(_("phone or e-mail"), max_length=260, unique=True)
    channels = models.JSONField(_("channels"), default=list)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return self.key
