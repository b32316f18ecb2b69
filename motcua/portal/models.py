"""What the citizen portal keeps besides the dossier itself: how an applicant proves a dossier
is theirs (a tracking secret, stored only as a hash) and the tracking attempts counted to stop
anyone from guessing codes (docs/portal.md). The one-time rating links are feedback's
(``feedback.models.RatingLink``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierAccess(models.Model):
    """The private tracking secret of a dossier submitted on the portal.

    Only the secret's SHA-256 is kept: the secret is shown once, on the page that ends the
    submission. ``submission_key`` is the one-time key of the submission form: a second POST
    of the same form (double click) finds it and creates nothing.
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="portal_access",
    )
    secret_hash = models.CharField(_("tracking secret (SHA-256)"), max_length=64)
    submission_key = models.CharField(_("submission key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("portal access to a dossier")
        verbose_name_plural = _("portal accesses to dossiers")

    def __str__(self) -> str:
        return str(self.dossier)


class TrackingAttempt(models.Model):
    """One failed tracking attempt: counted per client address and per dossier code in a
    sliding window (``MOTCUA_PORTAL``), so codes cannot be enumerated nor secrets guessed."""

    client_ip = models.GenericIPAddressField(_("client address"))
    code = models.CharField(_("dossier code asked for"), max_length=40)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("failed tracking attempt")
        verbose_name_plural = _("failed tracking attempts")
        indexes = [
            models.Index(fields=["client_ip", "at"]),
            models.Index(fields=["code", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.client_ip} {self.code}"
