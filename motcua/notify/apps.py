from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Messages to applicants by e-mail, SMS brandname and Zalo ZNS, through an outbox."""

    name = "motcua.notify"
    verbose_name = _("Notifications")
