from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    """The register of copies certified electronically (Circular 01/2020/TT-BTP)."""

    name = "motcua.certification"
    verbose_name = _("Electronic certification")
