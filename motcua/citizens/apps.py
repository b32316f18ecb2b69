from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    """Citizens signed in with the national identity (VNeID / the national SSO, OpenID
    Connect): their verified identity, the portal's pre-filled forms and "my dossiers"."""

    name = "motcua.citizens"
    verbose_name = _("Citizens")
