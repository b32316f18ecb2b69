from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.feedback.choices import RatingLevel


class Rating(models.Model):
    """The applicant's one satisfaction rating of a dossier."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="rating",
    )
    level = models.CharField(_("level"), max_length=20, choices=RatingLevel.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")

    def __str__(self) -> str:
        return f"{self.dossier} {self.get_level_display()}"


class RatingLink(models.Model):
    """A one-time link for the applicant's satisfaction rating (766 group 5).

    Only the token's SHA-256 is kept; ``used_at`` is set by the rating it carried.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="rating_links",
    )
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        # The table the portal created: the model moved to feedback, its rows stayed put.
        db_table = "portal_ratinglink"
        verbose_name = _("rating link")
        verbose_name_plural = _("rating links")

    def __str__(self) -> str:
        return str(self.dossier)
