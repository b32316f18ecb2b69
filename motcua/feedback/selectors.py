"""Reads of satisfaction ratings: the one-time rating link a token opens."""

from __future__ import annotations

import hashlib

from motcua.feedback.models import RatingLink


def token_hash(token: str) -> str:
    """What a rating link keeps of its token: the SHA-256, never the token itself. A token
    carries 192 bits and guessing is rate-limited, so a slow password hash would add nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def rating_link_by_token(token: str) -> RatingLink | None:
    """The rating link with ``token``, with its dossier and procedure, or None."""
    return (
        RatingLink.objects.select_related("dossier", "dossier__procedure_version")
        .filter(token_hash=token_hash(token))
        .first()
    )
