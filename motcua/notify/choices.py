from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a message reaches the applicant."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class Event(models.TextChoices):
    """What a message tells (one template per event and channel)."""

    RECEIPT = "receipt", _("Dossier received")
    SUPPLEMENT = "supplement", _("Supplement requested")
    RESULT = "result", _("Result ready")
    APOLOGY = "apology", _("Apology and new date")


class Status(models.TextChoices):
    """Where one outbox row stands."""

    # Waiting for a worker (first try, or a retry once next_attempt_at has come).
    QUEUED = "queued", _("Queued")
    # Claimed by a worker that is sending it now (or died doing so: never sent again, since
    # whether it left is unknown).
    SENDING = "sending", _("Sending")
    # Accepted by the provider.
    SENT = "sent", _("Sent")
    # The provider's delivery receipt says it reached the phone.
    DELIVERED = "delivered", _("Delivered")
    # Refused for good, or still failing after the last attempt.
    FAILED = "failed", _("Failed")
