"""Machine clients of the API and the log of every call (docs/api.md).

A machine client acts through a *service account*: a :class:`~motcua.accounts.models.User`
without a password (it cannot sign in to the pages) holding the client's roles in the client's
units. So a client scoped to a ward sees and acts on that ward's dossiers exactly as a clerk of
that ward does: the same ``accounts.access`` rules, through the same functions
(``dossiers.access.dossier_list_for_user(caller.user)``), and the dossier's events name the
client as their actor. The service account is created, changed and deactivated only by
:mod:`motcua.api.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.api.choices import DeliveryState, WebhookState


class ApiClient(models.Model):
    """Another system calling the API with OAuth2 client credentials.

    Only a hash of the secret is kept (Django's password hashers: Argon2 in production). A
    token is valid while the client is active and was issued after ``not_before``: revoking or
    rotating moves ``not_before`` to now, which kills every live token at once.
    """

    name = models.CharField(_("name"), max_length=200)
    client_id = models.CharField(_("client id"), max_length=40, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=256)
    # Scope values (choices.Scope) and the roles (choices.CLIENT_ROLES) of the service account.
    scopes = models.JSONField(_("scopes"), default=list)
    roles = models.JSONField(_("roles"), default=list)
    # A digest of the units and roles (tokens.grant_digest): a token carries the one of its
    # issue, so changing what the client reaches refuses its live tokens.
    grant = models.CharField(_("grant digest"), max_length=16)
    units = models.ManyToManyField(
        "units.AdministrativeUnit", verbose_name=_("units"), related_name="api_clients"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service account"),
        on_delete=models.PROTECT,
        related_name="api_client",
    )
    rate_per_minute = models.PositiveIntegerField(_("calls per minute"), default=120)
    active = models.BooleanField(_("active"), default=True)
    not_before = models.DateTimeField(_("tokens valid from"))
    created_at = models.DateTimeField(_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # The demo's client (motcua demo load): documented credentials, never in production.
    demo = models.BooleanField(_("demo only"), default=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "client_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class ApiCall(models.Model):
    """One call of the API: who (a client or a staff member), which route, the outcome.

    Written after every call, refused ones included; pruned after ``MOTCUA_API_LOG_DAYS`` by
    the daily housekeeping (bounded growth).
    """

    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_calls",
    )
    route = models.CharField(_("route"), max_length=100)
    method = models.CharField(_("method"), max_length=10)
    status = models.PositiveSmallIntegerField(_("status"))
    # The problem type of a refusal (``validation``, ``scope`` …); empty for a success.
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    at = models.DateTimeField(_("moment"), db_index=True)

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        indexes = [models.Index(fields=["client", "at"], name="api_call_client_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.route} {self.status}"


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key`` (``motcua.api.idempotency``).

    Written in the same transaction as the write it answers, so a retry either finds the
    answer or finds nothing done. ``caller`` ("client:7", "user:12") keeps one client's keys
    from answering another; ``fingerprint`` (route and body) tells a retry from another
    request under the same key. Kept ``MOTCUA_API_IDEMPOTENCY_HOURS``.
    """

    caller = models.CharField(_("caller"), max_length=40)
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    route = models.CharField(_("route"), max_length=200)
    status = models.PositiveSmallIntegerField(_("status"))
    body = models.JSONField(_("answer"), null=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotency_caller_key")
        ]

    def __str__(self) -> str:
        return f"{self.caller} {self.key} {self.status}"


class WebhookSubscription(models.Model):
    """A client's subscription to dossier events, delivered signed to ``target_url``
    (``motcua.api.webhooks``; docs/api.md "Webhooks").

    Filters: ``units`` (each with its lineage; none: every unit the client reaches) and
    ``kinds`` (event actions, ``dossiers.choices.Action``; empty: all). Never wider than the
    client's own units: an event is delivered only if the client could read its dossier.
    ``secret`` signs every delivery; after a rotation ``previous_secret`` signs too until
    ``previous_until``, so a receiver can switch keys without losing a message. The secrets are
    kept as they are (an HMAC needs them) and shown only at creation and rotation.
    """

    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
    )
    target_url = models.CharField(_("target URL"), max_length=500)
    units = models.ManyToManyField(
        "units.AdministrativeUnit",
        verbose_name=_("units"),
        blank=True,
        related_name="webhook_subscriptions",
    )
    kinds = models.JSONField(_("event kinds"), default=list, blank=True)
    secret = models.CharField(_("secret"), max_length=100)
    previous_secret = models.CharField(_("previous secret"), max_length=100, blank=True)
    previous_until = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    # Failing: retried slowly; disabled: nothing is sent (api.webhooks).
    state = models.CharField(
        _("state"), max_length=10, choices=WebhookState.choices, default=WebhookState.ACTIVE
    )
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.target_url} ({self.state})"


class WebhookDelivery(models.Model):
    """One event to send to one subscription: the message (``body``, signed when sent),
    pending until the receiver answers 2xx. Written by the fan-out in the same transaction
    as the feed position it read to (at-least-once); sent oldest first per (subscription,
    dossier), a later one waiting while an earlier one is pending (order per dossier)."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="+"
    )
    # The Webhook-Id header: the same on every attempt and replay of one event to one
    # subscription, so a receiver can drop a duplicate.
    message_id = models.CharField(_("message id"), max_length=60)
    body = models.TextField(_("body"))
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    # Taken by a sender until then (a worker that died mid-send leaves it to the next).
    leased_until = models.DateTimeField(_("taken until"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The sender's look-up: the pending ones, oldest first per subscription and dossier.
            models.Index(
                fields=["subscription", "dossier", "id"],
                name="webhook_pending",
                condition=models.Q(state="pending"),
            ),
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_due",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} -> #{self.subscription_id} ({self.state})"


class WebhookAttempt(models.Model):
    """The delivery log: one row per attempt (response code, duration, error)."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="log",
    )
    at = models.DateTimeField(_("moment"))
    status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status or self.error}"
