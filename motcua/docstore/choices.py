"""Enumerations of the document store."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ViewReason(models.TextChoices):
    """Why a stored document was shown or sent (every view is logged, issue 14)."""

    REUSE_PANEL = "reuse_panel", _("Reuse panel")
    SEARCH = "search", _("Search by ID number")
    DOWNLOAD = "download", _("Download")
    # The signed-in citizen shown their own papers (the portal's submission form, "my papers").
    OWNER = "owner", _("Shown to its owner")
