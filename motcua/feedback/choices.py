from django.db import models
from django.utils.translation import gettext_lazy as _


class RatingLevel(models.TextChoices):
    """An applicant's satisfaction with the handling of a dossier (766 group 5)."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


# "Satisfied or better" (766 indicator 5.4 counts "not satisfied" against the unit).
SATISFIED_OR_BETTER = frozenset({RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED})
