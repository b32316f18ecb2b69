"""Writes of satisfaction ratings and of the one-time links that ask for them."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError
from motcua.feedback.choices import RatingLevel
from motcua.feedback.models import Rating, RatingLink
from motcua.feedback.selectors import token_hash


class RatingError(DomainError, ValueError):
    """The rating cannot be recorded; the message says why.
    A ValueError too: callers that caught ValueError still do."""


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


def rating_link_create(*, dossier_id: int) -> str:
    """A new one-time rating link for the dossier: the URL path with its token
    (``/dich-vu-cong/danh-gia/<token>/``, the portal's rating page; prefix it with
    MOTCUA_BASE_URL in an e-mail). The token is shown once; only its hash is kept."""
    token = secrets.token_urlsafe(24)
    RatingLink.objects.create(
        dossier_id=dossier_id, token_hash=token_hash(token), created_at=timezone.now()
    )
    return reverse("portal:rate", args=[token])
