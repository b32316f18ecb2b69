from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlinepayConfig(AppConfig):
    """Fees paid online through the national payment platform, VNPay or a VietQR transfer."""

    name = "motcua.onlinepay"
    verbose_name = _("Online payment")
