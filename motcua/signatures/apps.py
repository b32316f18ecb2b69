"""The signatures app: no models, only signing and verifying PDFs."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    """Digital signatures on PDFs (PAdES)."""

    name = "motcua.signatures"
    verbose_name = _("Digital signatures")
