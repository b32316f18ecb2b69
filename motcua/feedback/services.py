"""Writes of satisfaction ratings."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.feedback.choices import RatingLevel
from motcua.feedback.models import Rating


class RatingError(ValueError):
    """The rating cannot be recorded; the message says why."""


def rating_record(*, dossier_id: int, level: RatingLevel, comment: str, at: datetime) -> Rating:
    """Record the dossier's one rating; a second one is refused."""
    rating = Rating(dossier_id=dossier_id, level=level, comment=comment, at=at)
    rating.full_clean(exclude=["dossier"], validate_unique=False)
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise RatingError(_("This dossier has already been rated.")) from None
    return rating
