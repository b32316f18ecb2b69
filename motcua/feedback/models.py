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
