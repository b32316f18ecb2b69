"""Enumerations of the citizens app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Refusal(models.TextChoices):
    """Which check refused a sign-in (written to the log; the citizen reads the message)."""

    NOT_CONFIGURED = "not_configured", _("sign-in not configured")
    PROVIDER_ERROR = "provider_error", _("refused by the identity provider")
    STATE = "state", _("unknown or expired sign-in")
    UNREACHABLE = "unreachable", _("identity provider unreachable")
    TOKEN = "token", _("token request refused")
    SIGNATURE = "signature", _("bad signature")
    ISSUER = "issuer", _("wrong issuer")
    AUDIENCE = "audience", _("wrong audience")
    EXPIRED = "expired", _("expired token")
    NONCE = "nonce", _("nonce mismatch")
    REPLAY = "replay", _("nonce already used")
    CLAIMS = "claims", _("claims missing or invalid")
