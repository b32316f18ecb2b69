from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitiseConfig(AppConfig):
    """Scans made searchable PDF/A by a worker job, with OCR suggestions the clerk confirms."""

    name = "motcua.digitise"
    verbose_name = _("Digitisation")
