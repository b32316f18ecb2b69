"""A citizen signed in with the national identity, and the ID-token nonces already used.

A citizen is not a staff ``User``: no password, no permissions. The account is keyed by the
identity provider's subject; the personal data are the verified claims of the last sign-in.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CitizenAccount(models.Model):
    """A person who signed in through the national identity provider (VNeID / national SSO).

    ``issuer`` + ``subject`` identify the account (the provider's ``sub``); the 12-digit
    personal ID number, name, birth date and address are the provider's verified claims as
    of ``last_signed_in_at`` (refreshed at every sign-in), ``level_of_assurance`` its
    ``loAs`` claim as given and ``tech_id`` its ``TechID`` (sent as ``MaDoiTuong``).
    """

    issuer = models.CharField(_("identity provider"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    id_number = models.CharField(_("personal ID number"), max_length=12, db_index=True)
    name = models.CharField(_("full name"), max_length=300)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    level_of_assurance = models.CharField(_("level of assurance"), max_length=40, blank=True)
    tech_id = models.CharField(_("TechID"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("first signed in at"))
    last_signed_in_at = models.DateTimeField(_("last signed in at"))

    class Meta:
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="citizen_issuer_subject")
        ]

    def __str__(self) -> str:
        return self.name


class UsedNonce(models.Model):
    """The nonce of an ID token that signed someone in, kept until the token expires: the same
    token (or another with its nonce) is refused until then, whatever the session says."""

    digest = models.CharField(_("nonce digest"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("used nonce")
        verbose_name_plural = _("used nonces")

    def __str__(self) -> str:
        return self.digest[:12]
